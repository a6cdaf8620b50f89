/**
 * The SimpleRNN as gpu.js kernels, compiled once per shape and activation. gpu.js writes 2-D outputs as
 * [width, height] = [columns, rows] and a kernel reads `a[row][column]`; every kernel here is written in
 * that order, and nothing of it leaves src/backends/gpujs*.ts.
 *
 * Forward:   xp = x·wx + b for all B·T rows at once (project), then per step t
 *            h_t = f(xp_t + h_{t-1}·wh) (step).
 * Backward:  per step t = T−1 … 0, with dh the gradient arriving at h_t from step t+1 (0 at T−1):
 *            da_t = (dhs_t + dh) ⊙ f'(h_t); dh ← da_t·whᵀ; dwh += h_{t−1}ᵀ·da_t; dwx += x_tᵀ·da_t;
 *            db += Σ_b da_t; dx_t = da_t·wxᵀ. After step 0, dh is dh0.
 * All kernels are pipeline kernels with immutable outputs: on GL the state stays in textures between
 * steps and each result is read back once.
 */
import type { GPU, IKernelRunShortcut } from 'gpu.js';
import type { Activation } from '../rnn.js';

export type ShapeKey = { B: number; T: number; F: number; H: number; activation: Activation };

/**
 * tanh that cannot overflow: (1 − e^{−2|a|}) / (1 + e^{−2|a|}) with the sign of a. gpu.js's shader tanh
 * computes (e^{2a} − 1)/(e^{2a} + 1), which is Infinity/Infinity = NaN once e^{2a} overflows float32
 * (a above about 44).
 */
export function stableTanh(a: number): number {
  const e = Math.exp(-2 * Math.abs(a));
  const t = (1 - e) / (1 + e);
  return a < 0 ? -t : t;
}

// `this` inside a kernel is gpu.js's kernel context; these types describe what the kernels read from it.
type Ctx = { thread: { x: number; y: number }; constants: { B: number; T: number; F: number; H: number; relu: number } };
type M = number[][];
type V = number[];

export type RnnKernels = {
  /** Copies an input (a flat array seen as rows x columns) onto the device. */
  upload: Record<'x' | 'wx' | 'wh' | 'hs' | 'h', IKernelRunShortcut>;
  project: IKernelRunShortcut;
  step: IKernelRunShortcut;
  da: IKernelRunShortcut;
  carry: IKernelRunShortcut;
  accDwh: IKernelRunShortcut;
  accDwx: IKernelRunShortcut;
  accDb: IKernelRunShortcut;
  dx: IKernelRunShortcut;
};

/** Compiles (lazily, on first call) every kernel for one shape and activation. */
export function buildKernels(gpu: GPU, s: ShapeKey): RnnKernels {
  const constants = { B: s.B, T: s.T, F: s.F, H: s.H, relu: s.activation === 'relu' ? 1 : 0 };
  const make = (fn: (this: Ctx, ...args: never[]) => number, width: number, height?: number) =>
    gpu.createKernel(fn as never, {
      output: height === undefined ? [width] : [width, height], constants, pipeline: true, immutable: true, precision: 'single',
      tactic: 'precision',
    });
  const copy = function (this: Ctx, a: M) {
    return a[this.thread.y]![this.thread.x]!;
  };
  const BT = s.B * s.T;
  return {
    upload: { x: make(copy, s.F, BT), wx: make(copy, s.H, s.F), wh: make(copy, s.H, s.H), hs: make(copy, s.H, BT), h: make(copy, s.H, s.B) },
    project: make(function (this: Ctx, x: M, wx: M, b: V) {
      let sum = b[this.thread.x]!;
      for (let f = 0; f < this.constants.F; f++) sum += x[this.thread.y]![f]! * wx[f]![this.thread.x]!;
      return sum;
    }, s.H, BT),
    step: make(function (this: Ctx, xp: M, h: M, wh: M, t: number) {
      let sum = xp[this.thread.y * this.constants.T + t]![this.thread.x]!;
      for (let k = 0; k < this.constants.H; k++) sum += h[this.thread.y]![k]! * wh[k]![this.thread.x]!;
      if (this.constants.relu === 1) return Math.max(sum, 0);
      return stableTanh(sum);
    }, s.H, s.B),
    da: make(function (this: Ctx, dhs: M, dh: M, hs: M, t: number) {
      const row = this.thread.y * this.constants.T + t;
      const h = hs[row]![this.thread.x]!;
      let slope = 1 - h * h; // tanh' from its output
      if (this.constants.relu === 1) {
        slope = 0;
        if (h > 0) slope = 1;
      }
      return (dhs[row]![this.thread.x]! + dh[this.thread.y]![this.thread.x]!) * slope;
    }, s.H, s.B),
    carry: make(function (this: Ctx, da: M, wh: M) {
      let sum = 0;
      for (let j = 0; j < this.constants.H; j++) sum += da[this.thread.y]![j]! * wh[this.thread.x]![j]!;
      return sum;
    }, s.H, s.B),
    // dwh[k][j] += Σ_b h_{t−1}[b][k]·da[b][j], with h_{t−1} = h0 at t = 0.
    accDwh: make(function (this: Ctx, acc: M, hs: M, h0: M, da: M, t: number) {
      let sum = acc[this.thread.y]![this.thread.x]!;
      for (let b = 0; b < this.constants.B; b++) {
        let hPrev = 0;
        if (t === 0) hPrev = h0[b]![this.thread.y]!;
        else hPrev = hs[b * this.constants.T + t - 1]![this.thread.y]!;
        sum += hPrev * da[b]![this.thread.x]!;
      }
      return sum;
    }, s.H, s.H),
    accDwx: make(function (this: Ctx, acc: M, x: M, da: M, t: number) {
      let sum = acc[this.thread.y]![this.thread.x]!;
      for (let b = 0; b < this.constants.B; b++) sum += x[b * this.constants.T + t]![this.thread.y]! * da[b]![this.thread.x]!;
      return sum;
    }, s.H, s.F),
    accDb: make(function (this: Ctx, acc: V, da: M) {
      let sum = acc[this.thread.x]!;
      for (let b = 0; b < this.constants.B; b++) sum += da[b]![this.thread.x]!;
      return sum;
    }, s.H),
    dx: make(function (this: Ctx, da: M, wx: M) {
      let sum = 0;
      for (let j = 0; j < this.constants.H; j++) sum += da[this.thread.y]![j]! * wx[this.thread.x]![j]!;
      return sum;
    }, s.F, s.B),
  };
}
