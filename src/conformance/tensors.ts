/** Small tensor helpers of the conformance suite: batch slicing, concatenation, linear combinations. */
import { sizeOf, type Tensor } from '../core/tensor.js';

/** Rows [from, to) of the first axis. */
export function sliceBatch(t: Tensor, from: number, to: number): Tensor {
  const row = sizeOf(t.shape.slice(1));
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * row, to * row) };
}

/** Concatenation along the first axis. */
export function concatBatch(a: Tensor, b: Tensor): Tensor {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { shape: [(a.shape[0] as number) + (b.shape[0] as number), ...a.shape.slice(1)], data };
}

/** α·a + β·b, element-wise. */
export function combine(alpha: number, a: Tensor, beta: number, b: Tensor): Tensor {
  return { shape: a.shape, data: a.data.map((v, i) => alpha * v + beta * (b.data[i] as number)) };
}
