/**
 * The reference SimpleRNN math of DESIGN.md section 1 over flat row-major Float64Arrays, batch-major:
 * x [B,T,F], wx [F,H], wh [H,H], b [H], h0 [B,H], hs/dhs [B,T,H]. Row r = b·T + t of x, hs or dhs is
 * sample b at step t. Pure functions: outputs are written into caller-provided buffers and inputs are
 * never written. Shared by the `loops` backend and the worker entry points.
 */
import { gemmAcc, gemmAccAt, gemmAccBt } from './gemm.js';
import type { Activation, Dims } from '../rnn.js';

export type RnnArrays = {
  wx: Float64Array; wh: Float64Array; b: Float64Array; x: Float64Array; h0: Float64Array | undefined;
};
export type GradientArrays = {
  wx: Float64Array; wh: Float64Array; b: Float64Array; x: Float64Array; h0: Float64Array;
};

/** a_t = x_t·wx + b for every row at once (one GEMM), into `out` [B·T, H]. */
function inputProjection(d: Dims, a: RnnArrays, out: Float64Array): void {
  const rows = d.B * d.T;
  for (let r = 0; r < rows; r++) out.set(a.b, r * d.H);
  gemmAcc(rows, d.F, d.H, a.x, 0, a.wx, 0, out, 0);
}

/** Adds h_{t-1}·wh to row `row` of `out`; h_{t-1} is the previous row of `hs`, or h0 at t = 0. */
function addRecurrence(d: Dims, a: RnnArrays, hs: Float64Array, bi: number, t: number, out: Float64Array): void {
  const row = (bi * d.T + t) * d.H;
  if (t > 0) gemmAcc(1, d.H, d.H, hs, row - d.H, a.wh, 0, out, row);
  else if (a.h0 !== undefined) gemmAcc(1, d.H, d.H, a.h0, bi * d.H, a.wh, 0, out, row);
}

/** Forward: hs_t = f(x_t·wx + h_{t-1}·wh + b), written into `hs` [B·T·H]. */
export function rnnForward(d: Dims, act: Activation, a: RnnArrays, hs: Float64Array): void {
  inputProjection(d, a, hs);
  for (let t = 0; t < d.T; t++) {
    for (let bi = 0; bi < d.B; bi++) {
      addRecurrence(d, a, hs, bi, t, hs);
      const row = (bi * d.T + t) * d.H;
      for (let j = row; j < row + d.H; j++) {
        const v = hs[j] as number;
        hs[j] = act === 'tanh' ? Math.tanh(v) : v > 0 ? v : 0;
      }
    }
  }
}

/** The pre-activations a_t recomputed from hs (used to find relu's kinks), written into `out` [B·T·H]. */
export function rnnPreActivations(d: Dims, a: RnnArrays, hs: Float64Array, out: Float64Array): void {
  inputProjection(d, a, out);
  for (let t = 0; t < d.T; t++) for (let bi = 0; bi < d.B; bi++) addRecurrence(d, a, hs, bi, t, out);
}

/**
 * Backward through time for L = Σ dhs ⊙ hs. `g` (dL/dh_t from step t+1) lives in `out.h0`, which ends
 * as dh0. Weight gradients are one matrix product each over all B·T rows once da is known.
 */
export function rnnBackward(
  d: Dims, act: Activation, a: RnnArrays, hs: Float64Array, dhs: Float64Array, out: GradientArrays,
): void {
  const { B, T, F, H } = d;
  const da = new Float64Array(B * T * H);
  const g = out.h0;
  g.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    for (let bi = 0; bi < B; bi++) {
      const row = (bi * T + t) * H;
      const gOff = bi * H;
      for (let j = 0; j < H; j++) {
        const h = hs[row + j] as number;
        const fprime = act === 'tanh' ? 1 - h * h : h > 0 ? 1 : 0;
        da[row + j] = ((dhs[row + j] as number) + (g[gOff + j] as number)) * fprime;
      }
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += (da[row + j] as number) * (a.wh[k * H + j] as number);
        g[gOff + k] = s;
      }
    }
  }
  for (let r = 0; r < B * T; r++) {
    for (let j = 0; j < H; j++) out.b[j] = (out.b[j] as number) + (da[r * H + j] as number);
  }
  gemmAccAt(B * T, F, H, a.x, 0, da, 0, out.wx, 0);
  for (let bi = 0; bi < B; bi++) {
    const first = bi * T * H;
    if (a.h0 !== undefined) gemmAccAt(1, H, H, a.h0, bi * H, da, first, out.wh, 0);
    if (T > 1) gemmAccAt(T - 1, H, H, hs, first, da, first + H, out.wh, 0);
  }
  gemmAccBt(B * T, H, F, da, 0, a.wx, 0, out.x, 0);
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
