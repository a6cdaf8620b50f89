/**
 * Validation of a classifier's data: X as nested arrays [n][T][F] or a tensor [n,T,F], y as integers.
 * Errors name the method, the argument, what was expected and what was got.
 */
import { describeValue, invalidArgument } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';

export type Sequences = readonly (readonly (readonly number[])[])[] | Tensor;
export type Labels = ArrayLike<number>;

/** X as one flat Float64Array [n·T·F] with its sizes; ragged, empty or non-finite input throws. */
export function flattenX(
  fn: string,
  arg: string,
  X: Sequences,
): { data: Float64Array; n: number; T: number; F: number } {
  if (X !== null && typeof X === 'object' && 'shape' in X && 'data' in X) {
    const [n, T, F] = X.shape;
    if (X.shape.length !== 3 || !n || !T || !F)
      throw invalidArgument(fn, `${arg}.shape`, '[samples, steps, features], all > 0', describeValue(X.shape));
    const data = Float64Array.from(X.data);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw invalidArgument(fn, `${arg}.data[${bad}]`, 'a finite number', describeValue(data[bad]));
    return { data, n, T, F };
  }
  if (!Array.isArray(X) || X.length === 0)
    throw invalidArgument(fn, arg, 'a non-empty array of sequences [n][T][F] or a tensor [n,T,F]', describeValue(X));
  const first = X[0];
  if (!Array.isArray(first) || first.length === 0 || !Array.isArray(first[0]) || first[0].length === 0) {
    throw invalidArgument(
      fn,
      `${arg}[0]`,
      'a non-empty array of steps, each a non-empty array of features',
      describeValue(first),
    );
  }
  const n = X.length,
    T = first.length,
    F = (first[0] as number[]).length;
  const data = new Float64Array(n * T * F);
  for (let i = 0; i < n; i++) {
    const s = X[i];
    if (!Array.isArray(s) || s.length !== T)
      throw invalidArgument(
        fn,
        `${arg}[${i}]`,
        `${T} steps like ${arg}[0] (ragged input)`,
        Array.isArray(s) ? `${s.length} steps` : describeValue(s),
      );
    for (let t = 0; t < T; t++) {
      const row = s[t];
      if (!Array.isArray(row) || row.length !== F)
        throw invalidArgument(
          fn,
          `${arg}[${i}][${t}]`,
          `${F} features like ${arg}[0][0] (ragged input)`,
          Array.isArray(row) ? `${row.length} features` : describeValue(row),
        );
      for (let f = 0; f < F; f++) {
        const v = row[f];
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw invalidArgument(fn, `${arg}[${i}][${t}][${f}]`, 'a finite number', describeValue(v));
        data[(i * T + t) * F + f] = v;
      }
    }
  }
  return { data, n, T, F };
}

/** Labels as an Int32Array of n integers in [0, classes) (classes undefined: any integer >= 0). */
export function checkLabels(fn: string, arg: string, y: Labels, n: number, classes?: number): Int32Array {
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number')
    throw invalidArgument(fn, arg, `an array of ${n} integer labels`, describeValue(y));
  if (y.length !== n) throw invalidArgument(fn, `${arg}.length`, `${n} (one label per sample)`, String(y.length));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    const max = classes === undefined ? Number.MAX_SAFE_INTEGER : classes - 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw invalidArgument(
        fn,
        `${arg}[${i}]`,
        classes === undefined ? 'an integer >= 0' : `an integer in [0, ${max}]`,
        describeValue(v),
      );
    }
    out[i] = v;
  }
  return out;
}
