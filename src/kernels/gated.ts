/**
 * What the gated cells' kernels (lstm.ts, gru.ts) share: their arrays, the sigmoid, the input projection
 * of all steps at once and the previous states as one matrix. Flat row-major Float64Arrays, batch-major
 * like the SimpleRNN's: row r = b·T + t of x, hs or the gates is sample b at step t.
 */
import type { Dims } from '../core/rnn.js';
import { gemmABt, transpose } from './gemm.js';

/** The inputs of a gated call as flat float64 arrays (h0 and c0 undefined: zeros). */
export type GatedArrays = {
  wx: Float64Array;
  wh: Float64Array;
  b: Float64Array;
  bh?: Float64Array | undefined;
  x: Float64Array;
  h0: Float64Array | undefined;
  c0?: Float64Array | undefined;
};

/** The gradients of a gated call (bh and c0 have length 0 for the cell that has none). */
export type GatedGradients = {
  wx: Float64Array;
  wh: Float64Array;
  b: Float64Array;
  bh: Float64Array;
  x: Float64Array;
  h0: Float64Array;
  c0: Float64Array;
};

/** A numerically stable logistic sigmoid: never e^{large}. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** out[r] = x_r·wx + bias for all B·T rows at once: one product, G·H columns. */
export function inputProjection(
  d: Dims,
  G: number,
  x: Float64Array,
  wx: Float64Array,
  bias: Float64Array,
  out: Float64Array,
): void {
  const rows = d.B * d.T;
  const cols = G * d.H;
  for (let r = 0; r < rows; r++) out.set(bias, r * cols);
  gemmABt(rows, cols, d.F, x, 0, d.F, transpose(wx, 0, d.F, cols), 0, d.F, out, 0, cols, true);
}

/** The rows of h_{t−1} (h0, or zeros, at t = 0) transposed into [H, B·T], for dwh = Σ_t h_{t−1}ᵀ·da_t. */
export function previousStatesT(d: Dims, hs: Float64Array, h0: Float64Array | undefined): Float64Array {
  const { B, T, H } = d;
  const rows = B * T;
  const out = new Float64Array(H * rows);
  for (let r = 0; r < rows; r++) {
    const t = r % T;
    const src = t > 0 ? hs : h0;
    if (src === undefined) continue;
    const off = t > 0 ? (r - 1) * H : (r / T) * H;
    for (let k = 0; k < H; k++) out[k * rows + r] = src[off + k]!;
  }
  return out;
}

/** Zeroed gradient buffers of a gated cell with G gate blocks (c0 for an LSTM, bh for a GRU). */
export function gatedGradientArrays(d: Dims, cell: 'lstm' | 'gru'): GatedGradients {
  const G = (cell === 'lstm' ? 4 : 3) * d.H;
  return {
    wx: new Float64Array(d.F * G),
    wh: new Float64Array(d.H * G),
    b: new Float64Array(G),
    bh: new Float64Array(cell === 'gru' ? G : 0),
    x: new Float64Array(d.B * d.T * d.F),
    h0: new Float64Array(d.B * d.H),
    c0: new Float64Array(cell === 'lstm' ? d.B * d.H : 0),
  };
}
