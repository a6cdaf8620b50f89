import { describe, expect, it } from 'vitest';
import { compareTensors } from '../src/check/compare.js';
import { toleranceFor, UNIT_ROUNDOFF } from '../src/check/tolerance.js';
import { tensor } from '../src/index.js';

describe('toleranceFor', () => {
  it('should be 8 · u · T · (F + H + 1) for atol and rtol', () => {
    expect(toleranceFor('float64', { T: 2, F: 3, H: 4 })).toEqual({ atol: 8 * 2 ** -53 * 16, rtol: 8 * 2 ** -53 * 16 });
    expect(toleranceFor('float32', { T: 5, F: 1, H: 1 })).toEqual({ atol: 8 * 2 ** -24 * 15, rtol: 8 * 2 ** -24 * 15 });
    expect(UNIT_ROUNDOFF).toEqual({ float64: 2 ** -53, float32: 2 ** -24 });
  });
});

describe('compareTensors', () => {
  const tol = { atol: 0.01, rtol: 0.1 };

  it('should pass when |a - e| <= atol · max(1, max|e|) + rtol · |e| and report the worst element', () => {
    // scale = 2: element 0 allows 0.02 + 0.2 = 0.22, element 1 allows 0.02 + 0.1 = 0.12, element 2 allows 0.02.
    const c = compareTensors(tensor([3], [2.2, 1.06, 0.01]), tensor([3], [2, 1, 0]), tol);
    expect(c.maxAbsError).toBeCloseTo(0.2, 15);
    expect(c.worstRatio).toBeCloseTo(0.2 / 0.22, 12);
    expect(c.worstIndex).toBe(0);
    expect(c.ok).toBe(true);
  });

  it('should fail just past the bound, and pass exactly on it', () => {
    expect(compareTensors(tensor([1], [0.0101]), tensor([1], [0]), tol).ok).toBe(false);
    expect(
      compareTensors(tensor([1], [0.5]), tensor([1], [0.5 - 0.06]), { atol: 0, rtol: 0.06 / 0.44 }).worstRatio,
    ).toBeCloseTo(1, 12);
    const c = compareTensors(tensor([2], [0, 0.03]), tensor([2], [0, 0]), tol);
    expect(c).toMatchObject({ worstIndex: 1, ok: false });
    expect(c.worstRatio).toBeCloseTo(3, 12);
  });

  it('should use a scale of at least 1, and the largest |e| above it', () => {
    expect(compareTensors(tensor([1], [0.015]), tensor([1], [0.001]), { atol: 0.01, rtol: 0 }).ok).toBe(false);
    expect(compareTensors(tensor([2], [0.015, -50]), tensor([2], [0.001, -50]), { atol: 0.01, rtol: 0 }).ok).toBe(true);
  });

  it('should pass a ratio of exactly 1, and keep the first of equally bad elements', () => {
    expect(compareTensors(tensor([1], [0.5]), tensor([1], [0]), { atol: 0.5, rtol: 0 })).toMatchObject({
      worstRatio: 1,
      ok: true,
    });
    const c = compareTensors(tensor([3], [0.03, 0.03, 0]), tensor([3], [0, 0, 0]), tol);
    expect(c.worstIndex).toBe(0);
    expect(c.maxAbsError).toBe(0.03);
  });

  it('should count the elements beyond their tolerance, out of all of them', () => {
    // scale = 1: element 0 allows 0.01 + 0.1·0.5 = 0.06, element 1 0.01 + 0.1·1 = 0.11, element 2 exactly 0.01.
    expect(compareTensors(tensor([3], [0.57, 1.2, 0.01]), tensor([3], [0.5, 1, 0]), tol)).toMatchObject({
      mismatches: 2,
      size: 3,
      worstIndex: 1,
    });
    expect(compareTensors(tensor([3], [0.5, 1, 0.01]), tensor([3], [0.5, 1, 0]), tol)).toMatchObject({
      mismatches: 0,
      size: 3,
      ok: true,
    });
    expect(compareTensors(tensor([2], [NaN, 1]), tensor([2], [1, 1]), tol)).toMatchObject({ mismatches: 1, size: 2 });
  });

  it('should refuse shapes that differ in any dimension or in rank, even with as many elements', () => {
    expect(compareTensors(tensor([2, 3, 4]), tensor([2, 4, 3]), tol).ok).toBe(false);
    expect(compareTensors(tensor([4]), tensor([4, 1]), tol).ok).toBe(false);
    expect(
      compareTensors({ shape: [2], data: new Float64Array(3) }, { shape: [2], data: new Float64Array(2) }, tol).ok,
    ).toBe(false);
  });

  it('should fail on NaN and on a shape mismatch', () => {
    const nan = compareTensors(tensor([2], [1, NaN]), tensor([2], [1, 1]), tol);
    expect(nan).toMatchObject({ maxAbsError: Infinity, worstRatio: Infinity, worstIndex: 1, ok: false });
    expect(compareTensors(tensor([2, 1], [1, 1]), tensor([1, 2], [1, 1]), tol)).toEqual({
      maxAbsError: Infinity,
      worstRatio: Infinity,
      worstIndex: -1,
      mismatches: 2,
      size: 2,
      ok: false,
    });
    expect(compareTensors(tensor([2], [1, 1]), tensor([3], [1, 1, 1]), tol).ok).toBe(false);
  });
});
