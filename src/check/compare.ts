/** Element-wise comparison of a tensor with the float64 reference under a Tolerance, and where it is worst. */
import type { Tensor } from '../core/tensor.js';
import type { Tolerance } from './tolerance.js';

/** The result of compareTensors: the largest error, the worst error/tolerance and where, how many elements disagree. */
export type Comparison = {
  /** Largest |a - e|. */
  maxAbsError: number;
  /** Largest |a - e| / (atol·scale + rtol·|e|): the comparison passes when it is at most 1. */
  worstRatio: number;
  /** Flat index of the element with the worst ratio (-1 for a shape mismatch). */
  worstIndex: number;
  /** How many elements are beyond their tolerance (all of them for a shape mismatch). */
  mismatches: number;
  /** How many elements were compared (the expected tensor's). */
  size: number;
  ok: boolean;
};

/**
 * Compares a result with the float64 reference element by element under a tolerance; passes when every ratio is at most
 * 1.
 */
export function compareTensors(actual: Tensor, expected: Tensor, tol: Tolerance): Comparison {
  const size = expected.data.length;
  const same = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  if (!same || actual.data.length !== size) {
    return { maxAbsError: Infinity, worstRatio: Infinity, worstIndex: -1, mismatches: size, size, ok: false };
  }
  let scale = 1;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let maxAbsError = 0;
  let worstRatio = 0;
  let worstIndex = 0;
  let mismatches = 0;
  for (let i = 0; i < size; i++) {
    const e = expected.data[i] as number;
    const err = Math.abs((actual.data[i] as number) - e);
    const ratio = err / (tol.atol * scale + tol.rtol * Math.abs(e));
    if (!(ratio <= 1)) mismatches++;
    if (!(err <= maxAbsError)) maxAbsError = err; // NaN counts as the worst
    if (!(ratio <= worstRatio)) {
      worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
      worstIndex = i;
    }
  }
  if (Number.isNaN(maxAbsError)) maxAbsError = Infinity;
  return { maxAbsError, worstRatio, worstIndex, mismatches, size, ok: worstRatio <= 1 };
}
