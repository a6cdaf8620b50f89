import { describe, expect, it } from 'vitest';
import { checkTensor, fromNested, tensor, toNested } from '../src/index.js';

describe('tensor helpers', () => {
  it('should round-trip nested arrays', () => {
    const nested = [
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ];
    const t = fromNested(nested);
    expect(t.shape).toEqual([1, 3, 2]);
    expect(toNested(t)).toEqual(nested);
  });

  it('should refuse ragged nested arrays, naming where', () => {
    expect(() => fromNested([[1, 2], [3]])).toThrow(
      /fromNested: nested\[1\] must be an array of length 2 \(ragged input\); got an array of length 1/,
    );
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

  // checkTensor scans in four interleaved sums and a remainder: a bad number in any of them is found.
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('should find the one non-finite number at index %i of 11', (at) => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const data = Float64Array.from({ length: 11 }, (_, i) => (i === at ? bad : -i * 1e300));
      expect(() => checkTensor('f', 't', { shape: [11], data }, 1)).toThrow(
        `f: t.data[${at}] must be finite; got ${bad}`,
      );
    }
  });

  it('should pass finite data of every length from 1 to 9, huge numbers and -0 included', () => {
    for (let n = 1; n <= 9; n++) {
      const data = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -0 : Number.MAX_VALUE));
      expect(() => checkTensor('f', 't', { shape: [n], data }, 1)).not.toThrow();
    }
  });
});
