/**
 * The reference SimpleRNN math (docs/CONTRACT.md) over flat row-major Float64Arrays, batch-major:
 * x [B,T,F], wx [F,H], wh [H,H], b [H], h0 [B,H], hs/dhs [B,T,H]. Row r = b·T + t of x, hs or dhs is
 * sample b at step t, so the rows of one time step are T·H apart. Pure functions: outputs are written
 * into caller-provided buffers and inputs are never written. Shared by the `loops` backend and the
 * worker entry points. Every product is one gemmABt call (C (+)= A·Bᵀ); operands that are needed the
 * other way round are transposed once per call.
 */
import { gemmABt, transpose } from './gemm.js';
import type { Activation, Dims } from '../core/rnn.js';

export type RnnArrays = {
  wx: Float64Array;
  wh: Float64Array;
  b: Float64Array;
  x: Float64Array;
  h0: Float64Array | undefined;
};
export type GradientArrays = {
  wx: Float64Array;
  wh: Float64Array;
  b: Float64Array;
  x: Float64Array;
  h0: Float64Array;
};

/** out[r] = x_r·wx + b for all B·T rows at once (one product). */
function inputProjection(d: Dims, a: RnnArrays, out: Float64Array): void {
  const rows = d.B * d.T;
  for (let r = 0; r < rows; r++) out.set(a.b, r * d.H);
  gemmABt(rows, d.H, d.F, a.x, 0, d.F, transpose(a.wx, 0, d.F, d.H), 0, d.F, out, 0, d.H, true);
}

/** Adds h_{t-1}·wh to the step-t rows of `out` for the whole batch; h_{t-1} is read from `hs` (h0 at t = 0). */
function addRecurrence(d: Dims, a: RnnArrays, whT: Float64Array, hs: Float64Array, t: number, out: Float64Array): void {
  const stride = d.T * d.H;
  if (t > 0) gemmABt(d.B, d.H, d.H, hs, (t - 1) * d.H, stride, whT, 0, d.H, out, t * d.H, stride, true);
  else if (a.h0 !== undefined) gemmABt(d.B, d.H, d.H, a.h0, 0, d.H, whT, 0, d.H, out, 0, stride, true);
}

/** Forward: hs_t = f(x_t·wx + h_{t-1}·wh + b), written into `hs` [B·T·H]. */
export function rnnForward(d: Dims, act: Activation, a: RnnArrays, hs: Float64Array): void {
  const whT = transpose(a.wh, 0, d.H, d.H);
  inputProjection(d, a, hs);
  for (let t = 0; t < d.T; t++) {
    addRecurrence(d, a, whT, hs, t, hs);
    for (let bi = 0; bi < d.B; bi++) {
      const row = (bi * d.T + t) * d.H;
      for (let j = row; j < row + d.H; j++) {
        const v = hs[j]!;
        hs[j] = act === 'tanh' ? Math.tanh(v) : v > 0 ? v : 0;
      }
    }
  }
}

/** The pre-activations a_t recomputed from hs (used to find relu's kinks), written into `out` [B·T·H]. */
export function rnnPreActivations(d: Dims, a: RnnArrays, hs: Float64Array, out: Float64Array): void {
  const whT = transpose(a.wh, 0, d.H, d.H);
  inputProjection(d, a, out);
  for (let t = 0; t < d.T; t++) addRecurrence(d, a, whT, hs, t, out);
}

/**
 * Backward through time for L = Σ dhs ⊙ hs. `g` (dL/dh_t from step t+1) lives in `out.h0`, which ends
 * as dh0. Once every da_t is known, dx, dwx and dwh are one product each over all B·T rows.
 */
export function rnnBackward(
  d: Dims,
  act: Activation,
  a: RnnArrays,
  hs: Float64Array,
  dhs: Float64Array,
  out: GradientArrays,
): void {
  const { B, T, F, H } = d;
  const rows = B * T;
  const stride = T * H;
  const da = new Float64Array(rows * H);
  const g = out.h0;
  g.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    for (let bi = 0; bi < B; bi++) {
      const row = (bi * T + t) * H;
      const gOff = bi * H;
      for (let j = 0; j < H; j++) {
        const h = hs[row + j]!;
        const fprime = act === 'tanh' ? 1 - h * h : h > 0 ? 1 : 0;
        da[row + j] = (dhs[row + j]! + g[gOff + j]!) * fprime;
      }
    }
    gemmABt(B, H, H, da, t * H, stride, a.wh, 0, H, g, 0, H, false); // g = da_t·whᵀ
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < H; j++) out.b[j] = out.b[j]! + da[r * H + j]!;
  gemmABt(rows, F, H, da, 0, H, a.wx, 0, H, out.x, 0, F, true); // dx = da·wxᵀ
  const daT = transpose(da, 0, rows, H);
  gemmABt(F, H, rows, transpose(a.x, 0, rows, F), 0, rows, daT, 0, rows, out.wx, 0, H, true); // dwx = xᵀ·da
  // dwh = Σ_t h_{t-1}ᵀ·da_t: the rows of h_{t-1} (h0, or zeros, at t = 0) transposed into [H, B·T].
  const hPrevT = new Float64Array(H * rows);
  for (let r = 0; r < rows; r++) {
    const t = r % T;
    const src = t > 0 ? hs : a.h0;
    if (src === undefined) continue;
    const off = t > 0 ? (r - 1) * H : (r / T) * H;
    for (let k = 0; k < H; k++) hPrevT[k * rows + r] = src[off + k]!;
  }
  gemmABt(H, H, rows, hPrevT, 0, rows, daT, 0, rows, out.wh, 0, H, true);
}

/** Zeroed gradient buffers for the given sizes. */
export function gradientArrays(d: Dims): GradientArrays {
  return {
    wx: new Float64Array(d.F * d.H),
    wh: new Float64Array(d.H * d.H),
    b: new Float64Array(d.H),
    x: new Float64Array(d.B * d.T * d.F),
    h0: new Float64Array(d.B * d.H),
  };
}
