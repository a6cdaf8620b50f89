/**
 * The SimpleRNN as gpu.js kernels, compiled once per activation and reused for every shape. gpu.js writes 2-D outputs
 * as
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
import type { Activation } from '../core/rnn.js';

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
type Ctx = { thread: { x: number; y: number }; constants: { relu: number } };
type M = number[][];
type V = number[];

/**
 * The kernels of one activation. Sizes are arguments and outputs are set per call (gpu.js's dynamicOutput
 * and dynamicArguments), so one compiled set serves every shape: nothing is compiled per shape and
 * nothing accumulates however many shapes a fuzz campaign meets.
 */
export type RnnKernels = {
  /** Copies an input (a flat array seen as rows x columns) onto the device. */
  copy: IKernelRunShortcut;
  project: IKernelRunShortcut;
  step: IKernelRunShortcut;
  da: IKernelRunShortcut;
  carry: IKernelRunShortcut;
  accDwh: IKernelRunShortcut;
  accDwx: IKernelRunShortcut;
  accDb: IKernelRunShortcut;
  dx: IKernelRunShortcut;
};

/**
 * The largest loop a kernel runs (over F, H or B): GLSL needs a constant bound, so gpu.js unrolls to this
 * and breaks at the argument. Calls with a larger size are refused before any kernel runs.
 */
export const MAX_LOOP = 4096;

/**
 * Makes 2-D pipeline kernels (outputs immutable, on the device) in float32 with every size an argument and
 * the output set per call, loops up to MAX_LOOP: the SimpleRNN's here and the gated cells'.
 */
export function kernelMaker(gpu: GPU, constants: Record<string, number> = {}) {
  return <C>(fn: (this: C, ...args: never[]) => number): IKernelRunShortcut =>
    gpu
      .createKernel(fn as never, {
        output: [1, 1],
        constants,
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        dynamicOutput: true,
        dynamicArguments: true,
      })
      .setLoopMaxIterations(MAX_LOOP);
}

/** Creates (compiled on first call) every kernel for one activation. */
export function buildKernels(gpu: GPU, activation: Activation): RnnKernels {
  const make = kernelMaker(gpu, { relu: activation === 'relu' ? 1 : 0 });
  return {
    copy: make(function (this: Ctx, a: M) {
      return a[this.thread.y]![this.thread.x]!;
    }),
    project: make(function (this: Ctx, x: M, wx: M, b: V, F: number) {
      let sum = b[this.thread.x]!;
      for (let f = 0; f < F; f++) sum += x[this.thread.y]![f]! * wx[f]![this.thread.x]!;
      return sum;
    }),
    step: make(function (this: Ctx, xp: M, h: M, wh: M, t: number, T: number, H: number) {
      let sum = xp[this.thread.y * T + t]![this.thread.x]!;
      for (let k = 0; k < H; k++) sum += h[this.thread.y]![k]! * wh[k]![this.thread.x]!;
      if (this.constants.relu === 1) return Math.max(sum, 0);
      return stableTanh(sum);
    }),
    da: make(function (this: Ctx, dhs: M, dh: M, hs: M, t: number, T: number) {
      const row = this.thread.y * T + t;
      const h = hs[row]![this.thread.x]!;
      let slope = 1 - h * h; // tanh' from its output
      if (this.constants.relu === 1) {
        slope = 0;
        if (h > 0) slope = 1;
      }
      return (dhs[row]![this.thread.x]! + dh[this.thread.y]![this.thread.x]!) * slope;
    }),
    // Σ_j da[b][off + j]·wh[k][off + j] over W columns: da·whᵀ, or a block range of it (a gated cell's).
    carry: make(function (this: Ctx, da: M, wh: M, W: number, off: number) {
      let sum = 0;
      for (let j = 0; j < W; j++) sum += da[this.thread.y]![off + j]! * wh[this.thread.x]![off + j]!;
      return sum;
    }),
    // dwh[k][j] += Σ_b h_{t−1}[b][k]·da[b][j], with h_{t−1} = h0 at t = 0.
    accDwh: make(function (this: Ctx, acc: M, hs: M, h0: M, da: M, t: number, B: number, T: number) {
      let sum = acc[this.thread.y]![this.thread.x]!;
      for (let b = 0; b < B; b++) {
        // gpu.js compiles this to a shader: a declaration needs its value, so h0 first, then h_{t−1} past t = 0.
        let hPrev = h0[b]![this.thread.y]!;
        if (t > 0) hPrev = hs[b * T + t - 1]![this.thread.y]!;
        sum += hPrev * da[b]![this.thread.x]!;
      }
      return sum;
    }),
    accDwx: make(function (this: Ctx, acc: M, x: M, da: M, t: number, B: number, T: number) {
      let sum = acc[this.thread.y]![this.thread.x]!;
      for (let b = 0; b < B; b++) sum += x[b * T + t]![this.thread.y]! * da[b]![this.thread.x]!;
      return sum;
    }),
    // db as one row [1, H], a texture like every other accumulator, so its argument type never changes.
    accDb: make(function (this: Ctx, acc: M, da: M, B: number) {
      let sum = acc[0]![this.thread.x]!;
      for (let b = 0; b < B; b++) sum += da[b]![this.thread.x]!;
      return sum;
    }),
    dx: make(function (this: Ctx, da: M, wx: M, H: number) {
      let sum = 0;
      for (let j = 0; j < H; j++) sum += da[this.thread.y]![j]! * wx[this.thread.x]![j]!;
      return sum;
    }),
  };
}

/** Every kernel of a set, to destroy them. */
export const allKernels = (k: RnnKernels): IKernelRunShortcut[] => Object.values(k);
