/**
 * The tolerance model, written down once. A comparison of a backend with the float64 reference passes
 * element-wise when |a - e| <= atol·scale + rtol·|e|, where scale = max(1, max|e|) over the tensor.
 *
 * Both terms grow with the unit roundoff of the lower precision and with the length of the sums the
 * quantity is made of: a hidden state is a dot product of F + H + 1 terms repeated through T steps, and
 * a gradient runs the same chains backwards, so the error bound is c · u · T · (F + H + 1).
 */
import type { Precision } from '../core/rnn.js';

/** How far a result may be from the reference: |a − e| ≤ atol·max(1, max|e|) + rtol·|e|. */
export type Tolerance = { atol: number; rtol: number };

export const UNIT_ROUNDOFF: Record<Precision, number> = { float64: 2 ** -53, float32: 2 ** -24 };

/** The constant c of the bound; 8 leaves room for rounding in activations and conversions. */
const SAFETY = 8;

/** Tolerance for comparing a backend of `precision` with the float64 reference on a problem of this size. */
export function toleranceFor(precision: Precision, size: { T: number; F: number; H: number }): Tolerance {
  const growth = size.T * (size.F + size.H + 1);
  const bound = SAFETY * UNIT_ROUNDOFF[precision] * growth;
  return { atol: bound, rtol: bound };
}
