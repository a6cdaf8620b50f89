import { describe, expect, it } from 'vitest';
import { fromNested, tensor, toNested } from '../src/index.js';

describe('tensor helpers', () => {
  it('should round-trip nested arrays', () => {
    const nested = [[[1, 2], [3, 4], [5, 6]]];
    const t = fromNested(nested);
    expect(t.shape).toEqual([1, 3, 2]);
    expect(toNested(t)).toEqual(nested);
  });

  it('should refuse ragged nested arrays, naming where', () => {
    expect(() => fromNested([[1, 2], [3]])).toThrow(/fromNested: nested\[1\] must be an array of length 2 \(ragged input\); got an array of length 1/);
  });

  it('should refuse data whose length does not match the shape', () => {
    expect(() => tensor([2, 2], [1, 2, 3])).toThrow('tensor: data.length must be 4 for shape [2,2]; got 3');
  });

  it('should copy the data it is given', () => {
    const src = new Float64Array([1, 2]);
    const t = tensor([2], src);
    src[0] = 9;
    expect(t.data[0]).toBe(1);
  });
});
