/** The catalog's backends compute in float64 and store their outputs as the precision they claim. */
import type { Precision } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';

/** A tensor of `shape` holding `data` as `precision` stores it. */
export function stored(precision: Precision, shape: number[], data: Float64Array | Float32Array): Tensor {
  return { shape, data: precision === 'float32' ? Float32Array.from(data) : Float64Array.from(data) };
}
