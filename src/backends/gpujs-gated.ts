/**
 * The LSTM and the GRU on gpu.js: the steps of src/kernels/lstm.ts and gru.ts as device kernels
 * (src/backends/gpujs-gated-kernels.ts), with the SimpleRNN's product kernels run G·H wide. Backward runs the
 * forward pass again on the device (the contract gives it hs, not the gates or the cell states), then the
 * steps backwards, accumulating dwx, dwh, b and bh on the device; each result is read back once.
 */
import type { IKernelRunShortcut } from 'gpu.js';
import type { CheckedCall, RnnGradients, RnnParams } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import type { RnnKernels } from './gpujs-kernels.js';
import type { GatedKernels } from './gpujs-gated-kernels.js';

/** What a gated pass needs of the device: kernels, uploads and results owned by the call (freed after it). */
export type GatedDevice = {
  k: RnnKernels;
  g: GatedKernels;
  /** Runs a kernel with its output set to [columns, rows]; the result is owned by the call. */
  run: (kernel: IKernelRunShortcut, output: number[], ...args: unknown[]) => unknown;
  /** Uploads a flat array seen as [columns, rows]. */
  up: (data: Float32Array, cols: number, rows: number) => unknown;
  /** x [B·T rows, F], wx [F rows, G·H] and wh [H rows, G·H], already uploaded. */
  xs: unknown;
  wx: unknown;
  wh: unknown;
};

/** Reads device results back: one [B, width] value, and per-step values gathered into [B, T, width]. */
export type GatedReader = {
  flat: (v: unknown, rows: number, cols: number) => Float64Array;
  steps: (steps: unknown[], B: number, T: number, width: number) => Float64Array;
};

const f32 = (t: Tensor) => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data));
const tensor = (shape: number[], data: Float64Array): Tensor => ({ shape, data });

/** The forward pass, per step: hh = h_{t−1}·wh (+ bh), c_t (LSTM), hn and r ⊙ h_{t−1} (GRU, reset before). */
type Trace = {
  xp: unknown;
  h0: unknown;
  c0: unknown;
  hs: unknown[];
  hh: unknown[];
  cs: unknown[];
  hn: unknown[];
  rh: unknown[];
};

function trace(d: GatedDevice, c: CheckedCall, p: RnnParams): Trace {
  const { B, T, F, H } = c;
  const lstm = c.cell === 'lstm';
  const W = (lstm ? 4 : 3) * H;
  const after = c.resetAfter;
  const xp = d.run(d.k.project, [W, B * T], d.xs, d.wx, f32(p.b), F);
  const bias = lstm || p.bh === undefined ? new Float32Array(W) : f32(p.bh);
  const h0 = d.up(c.h0 ? f32(c.h0) : new Float32Array(B * H), H, B);
  const c0 = lstm ? d.up(c.c0 ? f32(c.c0) : new Float32Array(B * H), H, B) : h0;
  const tr: Trace = { xp, h0, c0, hs: [], hh: [], cs: [], hn: [], rh: [] };
  let h = h0;
  let cell = c0;
  for (let t = 0; t < T; t++) {
    // With the reset before, n's recurrent term waits for r: hh holds r's and z's blocks only.
    const hh = d.run(d.g.recur, [lstm || after ? W : 2 * H, B], h, d.wh, bias, H, 0);
    tr.hh.push(hh);
    if (lstm) {
      cell = d.run(d.g.lstmC, [H, B], xp, hh, cell, t, T, H);
      tr.cs.push(cell);
      h = d.run(d.g.lstmH, [H, B], xp, hh, cell, t, T, H);
    } else {
      let hn = hh;
      if (!after) {
        const rh = d.run(d.g.gruRh, [H, B], xp, hh, h, t, T);
        tr.rh.push(rh);
        hn = d.run(d.g.recur, [H, B], rh, d.wh, bias, H, 2 * H);
      }
      tr.hn.push(hn);
      h = d.run(d.g.gruH, [H, B], xp, hh, hn, h, t, T, H, after ? 2 * H : 0, after ? 1 : 0);
    }
    tr.hs.push(h);
  }
  return tr;
}

/** Forward: hs [B, T, H]. */
export function gatedForward(d: GatedDevice, read: GatedReader, c: CheckedCall, p: RnnParams): Float64Array {
  return read.steps(trace(d, c, p).hs, c.B, c.T, c.H);
}

/** Backward through time for L = Σ dhs ⊙ hs: every gradient of the cell (bh for a GRU, c0 for an LSTM). */
export function gatedBackward(
  d: GatedDevice,
  read: GatedReader,
  c: CheckedCall,
  p: RnnParams,
  dhs: Tensor,
): RnnGradients {
  const { B, T, F, H } = c;
  const lstm = c.cell === 'lstm';
  const W = (lstm ? 4 : 3) * H;
  const after = c.resetAfter ? 1 : 0;
  const tr = trace(d, c, p);
  const dhsD = d.up(f32(dhs), H, B * T);
  const zeros = (cols: number, rows: number) => d.up(new Float32Array(cols * rows), cols, rows);
  let dh = zeros(H, B);
  let dc = zeros(H, B);
  let dwh = zeros(W, H);
  let dwx = zeros(W, F);
  let db = zeros(W, 1);
  let dbh = zeros(W, 1);
  const dxSteps: unknown[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    const hPrev = t > 0 ? tr.hs[t - 1] : tr.h0;
    const hh = tr.hh[t];
    let dX: unknown;
    if (lstm) {
      const cPrev = t > 0 ? tr.cs[t - 1] : tr.c0;
      const dct = d.run(d.g.lstmDc, [H, B], dhsD, dh, tr.xp, hh, tr.cs[t], dc, t, T, H);
      dX = d.run(d.g.lstmDz, [W, B], dhsD, dh, tr.xp, hh, tr.cs[t], cPrev, dct, t, T, H);
      dc = d.run(d.g.lstmDcPrev, [H, B], dct, tr.xp, hh, t, T, H);
      dh = d.run(d.k.carry, [H, B], dX, d.wh, W, 0);
      dwh = d.run(d.g.accOuter, [W, H], dwh, hPrev, hPrev, dX, B, W);
    } else {
      const hn = tr.hn[t];
      dX = d.run(d.g.gruDzn, [W, B], dhsD, dh, tr.xp, hh, hn, hPrev, t, T, H, after ? 2 * H : 0, after);
      let drh = dh; // read only with the reset before
      if (!after) {
        drh = d.run(d.k.carry, [H, B], dX, d.wh, H, 2 * H);
        dX = d.run(d.g.gruFixR, [W, B], dX, drh, tr.xp, hh, hPrev, t, T, H);
      }
      const dHp = d.run(d.g.gruDhp, [W, B], dX, tr.xp, hh, t, T, H, after);
      const cr = d.run(d.k.carry, [H, B], dHp, d.wh, after ? W : 2 * H, 0);
      dh = d.run(d.g.gruDh, [H, B], cr, dhsD, dh, tr.xp, hh, drh, t, T, H, after);
      dwh = d.run(d.g.accOuter, [W, H], dwh, hPrev, after ? hPrev : tr.rh[t], dHp, B, after ? W : 2 * H);
      dbh = d.run(d.k.accDb, [W, 1], dbh, dHp, B);
    }
    dwx = d.run(d.k.accDwx, [W, F], dwx, d.xs, dX, t, B, T);
    db = d.run(d.k.accDb, [W, 1], db, dX, B);
    dxSteps[t] = d.run(d.k.dx, [F, B], dX, d.wx, W);
  }
  return {
    wx: tensor([F, W], read.flat(dwx, F, W)),
    wh: tensor([H, W], read.flat(dwh, H, W)),
    b: tensor([W], read.flat(db, 1, W)),
    x: tensor([B, T, F], read.steps(dxSteps, B, T, F)),
    h0: tensor([B, H], read.flat(dh, B, H)),
    ...(lstm ? { c0: tensor([B, H], read.flat(dc, B, H)) } : { bh: tensor([W], read.flat(dbh, 1, W)) }),
  };
}
