import { describe, expect, it } from 'vitest';
import { compareTensors } from '../src/check/compare.js';
import {
  describeMismatch,
  elementName,
  readable,
  readableRelative,
  unflatten,
  worstElement,
} from '../src/check/where.js';
import { tensor } from '../src/index.js';

describe('where a comparison went wrong', () => {
  it('should turn a flat index into the index of each dimension, row-major', () => {
    expect(unflatten(0, [2, 3, 4])).toEqual([0, 0, 0]);
    expect(unflatten(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unflatten(7, [2, 3, 4])).toEqual([0, 1, 3]);
    expect(unflatten(4, [5])).toEqual([4]);
  });

  it('should name the axes of the tensors that carry a batch, and not of the weights', () => {
    expect(elementName('hs', [0, 3, 1])).toBe('hs[b=0,t=3,h=1]');
    expect(elementName('dx', [1, 0, 2])).toBe('dx[b=1,t=0,f=2]');
    expect(elementName('dh0', [1, 2])).toBe('dh0[b=1,h=2]');
    expect(elementName('dwh', [2, 0])).toBe('dwh[2,0]');
    expect(elementName('db', [3])).toBe('db[3]');
  });

  it("should name the gate block and unit of a gated cell's weight column, and nothing more elsewhere", () => {
    // An LSTM with H = 5: columns 0-4 i, 5-9 f, 10-14 g, 15-19 o.
    expect(elementName('dwx', [0, 12], [4, 20], 'lstm')).toBe('dwx[0,12] (gate g, unit 2)');
    expect(elementName('db', [19], [20], 'lstm')).toBe('db[19] (gate o, unit 4)');
    expect(elementName('dwh', [1, 0], [5, 20], 'lstm')).toBe('dwh[1,0] (gate i, unit 0)');
    // A GRU with H = 3: r, z, n.
    expect(elementName('dbh', [7], [9], 'gru')).toBe('dbh[7] (gate n, unit 1)');
    expect(elementName('dwh', [2, 3], [3, 9], 'gru')).toBe('dwh[2,3] (gate z, unit 0)');
    expect(elementName('dh0', [1, 2], [2, 3], 'gru')).toBe('dh0[b=1,h=2]');
    expect(elementName('dwh', [2, 0], [3, 3], 'rnn')).toBe('dwh[2,0]');
  });

  it('should describe the worst element with got, expected, the relative error and how many disagree', () => {
    const actual = tensor([2, 2], [1, 2, 3, 2]);
    const expected = tensor([2, 2], [1, 2, 3, 4]);
    const cmp = compareTensors(actual, expected, { atol: 1e-12, rtol: 1e-12 });
    expect(worstElement(cmp, actual, expected)).toEqual({ index: [1, 1], got: 2, expected: 4 });
    expect(describeMismatch('dwh', cmp, actual, expected)).toMatch(
      /^dwh\[1,1\]: got 2, expected 4 \(relative error 50 %\); 1 of 4 elements disagree; worst error\/tolerance \d\.\d\de\+\d+$/,
    );
    const shape = compareTensors(tensor([1, 2], [1, 2]), expected, { atol: 1, rtol: 0 });
    expect(describeMismatch('dwh', shape, tensor([1, 2], [1, 2]), expected)).toBe(
      'dwh has shape [1,2] where [2,2] was expected',
    );
  });

  it('should write numbers and relative errors as a person reads them', () => {
    expect(readable(0.125)).toBe('0.125');
    expect(readable(-2.1698234)).toBe('-2.16982');
    expect(readable(1.25e-7)).toBe('1.250e-7');
    expect(readable(0)).toBe('0');
    expect(readableRelative({ index: [0], got: 1, expected: 0 })).toBe('where 0 was expected');
    expect(readableRelative({ index: [0], got: NaN, expected: 1 })).toBe('not a number');
    expect(readableRelative({ index: [0], got: 1 + 1e-9, expected: 1 })).toBe('relative error 1.00e-9');
  });
});
