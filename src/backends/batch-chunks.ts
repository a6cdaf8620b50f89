/**
 * Splitting a call over its batch, for a backend that can only take so many rows (B·T) at once: the
 * samples of a batch are independent, so hs, dx and dh0 are the chunks' rows put together and the
 * parameter gradients are the chunks' sums.
 */
import type { RnnGradients } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';

/** [from, to) ranges of at most `per` samples covering B. */
export function batchRanges(B: number, per: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < B; from += per) out.push([from, Math.min(B, from + per)]);
  return out;
}

/** [from, to) ranges splitting B into n chunks whose sizes differ by at most one (one per thread). */
export function balancedRanges(B: number, n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [Math.floor((i * B) / n), Math.floor(((i + 1) * B) / n)]);
}

/** Samples [from, to) of a tensor whose first dimension is the batch. */
export function sliceBatch(t: Tensor, from: number, to: number): Tensor {
  const per = t.data.length / (t.shape[0] as number);
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * per, to * per) };
}

/** Chunks along the batch, put back together in float64. */
export function concatBatch(parts: Tensor[]): Tensor {
  const B = parts.reduce((s, p) => s + (p.shape[0] as number), 0);
  const data = new Float64Array(parts.reduce((s, p) => s + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [B, ...(parts[0] as Tensor).shape.slice(1)], data };
}

function sum(parts: Tensor[]): Tensor {
  const data = Float64Array.from((parts[0] as Tensor).data);
  for (const p of parts.slice(1))
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) + (p.data[i] as number);
  return { shape: [...(parts[0] as Tensor).shape], data };
}

/** The gradients of a whole batch from those of its chunks. */
export function combineGradients(parts: RnnGradients[]): RnnGradients {
  if (parts.length === 1) return parts[0] as RnnGradients;
  return {
    wx: sum(parts.map((g) => g.wx)),
    wh: sum(parts.map((g) => g.wh)),
    b: sum(parts.map((g) => g.b)),
    x: concatBatch(parts.map((g) => g.x)),
    h0: concatBatch(parts.map((g) => g.h0)),
    ...(parts[0]?.bh && { bh: sum(parts.map((g) => g.bh as Tensor)) }),
    ...(parts[0]?.c0 && { c0: concatBatch(parts.map((g) => g.c0 as Tensor)) }),
  };
}
