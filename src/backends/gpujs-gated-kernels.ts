/**
 * The LSTM's and the GRU's own gpu.js kernels: the gate nonlinearities of one step, forward and backward,
 * elementwise over [B rows, width]. The products (x·wx + b, h·wh, da·whᵀ, xᵀ·da, …) are the SimpleRNN's
 * kernels of src/backends/gpujs-kernels.ts run G·H wide, with `recur` and `accOuter` added here. Gate blocks
 * and equations are those of src/kernels/lstm.ts (i, f, g, o) and gru.ts (r, z, n); a kernel reads
 * `a[row][column]`, and xp holds x·wx + b for every row b·T + t.
 */
import type { GPU, IKernelRunShortcut } from 'gpu.js';
import { kernelMaker, stableTanh } from './gpujs-kernels.js';

/** σ(a) that cannot overflow: 1/(1 + e^{−a}) for a ≥ 0, e^{a}/(1 + e^{a}) below. */
export function stableSigmoid(a: number): number {
  const e = Math.exp(-Math.abs(a));
  let s = 1 / (1 + e);
  if (a < 0) s = e / (1 + e);
  return s;
}

type Ctx = { thread: { x: number; y: number } };
type M = number[][];
type V = number[];

export type GatedKernels = {
  /** out[b][j] = bias[off + j] + Σ_k h[b][k]·wh[k][off + j]: the recurrent product of a block range. */
  recur: IKernelRunShortcut;
  /** Σ_b left[b][k]·da[b][j] added to acc[k][j]; columns from `split` on take left2 (a GRU's r ⊙ h). */
  accOuter: IKernelRunShortcut;
  lstmC: IKernelRunShortcut;
  lstmH: IKernelRunShortcut;
  lstmDc: IKernelRunShortcut;
  lstmDz: IKernelRunShortcut;
  lstmDcPrev: IKernelRunShortcut;
  gruRh: IKernelRunShortcut;
  gruH: IKernelRunShortcut;
  gruDzn: IKernelRunShortcut;
  gruFixR: IKernelRunShortcut;
  gruDhp: IKernelRunShortcut;
  gruDh: IKernelRunShortcut;
};

/** Creates (compiled on first call) the gated kernels; stableTanh and stableSigmoid must be added to `gpu`. */
export function buildGatedKernels(gpu: GPU): GatedKernels {
  const make = kernelMaker(gpu);
  return {
    recur: make(function (this: Ctx, h: M, wh: M, bias: V, H: number, off: number) {
      let sum = bias[off + this.thread.x]!;
      for (let k = 0; k < H; k++) sum += h[this.thread.y]![k]! * wh[k]![off + this.thread.x]!;
      return sum;
    }),
    accOuter: make(function (this: Ctx, acc: M, left: M, left2: M, da: M, B: number, split: number) {
      let sum = acc[this.thread.y]![this.thread.x]!;
      for (let b = 0; b < B; b++) {
        let l = left[b]![this.thread.y]!;
        if (this.thread.x >= split) l = left2[b]![this.thread.y]!;
        sum += l * da[b]![this.thread.x]!;
      }
      return sum;
    }),
    // LSTM forward: c_t = f ⊙ c_{t−1} + i ⊙ g, then h_t = o ⊙ tanh(c_t); hh = h_{t−1}·wh.
    lstmC: make(function (this: Ctx, xp: M, hh: M, cPrev: M, t: number, T: number, H: number) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      const i = stableSigmoid(xp[row]![j]! + hh[this.thread.y]![j]!);
      const f = stableSigmoid(xp[row]![H + j]! + hh[this.thread.y]![H + j]!);
      const g = stableTanh(xp[row]![2 * H + j]! + hh[this.thread.y]![2 * H + j]!);
      return f * cPrev[this.thread.y]![j]! + i * g;
    }),
    lstmH: make(function (this: Ctx, xp: M, hh: M, c: M, t: number, T: number, H: number) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      const o = stableSigmoid(xp[row]![3 * H + j]! + hh[this.thread.y]![3 * H + j]!);
      return o * stableTanh(c[this.thread.y]![j]!);
    }),
    // LSTM backward: dc_t = (dhs_t + dh)·o·(1 − tanh²c_t) + dc from step t + 1.
    lstmDc: make(function (this: Ctx, dhs: M, dh: M, xp: M, hh: M, c: M, dcNext: M, t: number, T: number, H: number) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      const dht = dhs[row]![j]! + dh[this.thread.y]![j]!;
      const o = stableSigmoid(xp[row]![3 * H + j]! + hh[this.thread.y]![3 * H + j]!);
      const tc = stableTanh(c[this.thread.y]![j]!);
      return dht * o * (1 - tc * tc) + dcNext[this.thread.y]![j]!;
    }),
    // The pre-activations' gradient [B, 4H], block by block: through i, f, g and o.
    lstmDz: make(function (
      this: Ctx,
      dhs: M,
      dh: M,
      xp: M,
      hh: M,
      c: M,
      cPrev: M,
      dc: M,
      t: number,
      T: number,
      H: number,
    ) {
      const row = this.thread.y * T + t;
      const q = Math.floor(this.thread.x / H);
      const j = this.thread.x - q * H;
      const a = xp[row]![this.thread.x]! + hh[this.thread.y]![this.thread.x]!;
      const dct = dc[this.thread.y]![j]!;
      let out = 0;
      if (q < 0.5) {
        const i = stableSigmoid(a);
        const g = stableTanh(xp[row]![2 * H + j]! + hh[this.thread.y]![2 * H + j]!);
        out = dct * g * i * (1 - i);
      } else if (q < 1.5) {
        const f = stableSigmoid(a);
        out = dct * cPrev[this.thread.y]![j]! * f * (1 - f);
      } else if (q < 2.5) {
        const g = stableTanh(a);
        const i = stableSigmoid(xp[row]![j]! + hh[this.thread.y]![j]!);
        out = dct * i * (1 - g * g);
      } else if (q > 2.5) {
        // (A plain else leaves the 0 above unread, and GLSL needs every declaration to have its value.)
        const o = stableSigmoid(a);
        const dht = dhs[row]![j]! + dh[this.thread.y]![j]!;
        out = dht * stableTanh(c[this.thread.y]![j]!) * o * (1 - o);
      }
      return out;
    }),
    // dc_{t−1} = dc_t ⊙ f.
    lstmDcPrev: make(function (this: Ctx, dc: M, xp: M, hh: M, t: number, T: number, H: number) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      return dc[this.thread.y]![j]! * stableSigmoid(xp[row]![H + j]! + hh[this.thread.y]![H + j]!);
    }),
    // GRU, reset gate before the product: r ⊙ h_{t−1}.
    gruRh: make(function (this: Ctx, xp: M, hh: M, hPrev: M, t: number, T: number) {
      const j = this.thread.x;
      return stableSigmoid(xp[this.thread.y * T + t]![j]! + hh[this.thread.y]![j]!) * hPrev[this.thread.y]![j]!;
    }),
    // h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}; n's recurrent term is hn[b][nOff + j] (hh's n block, or (r ⊙ h)·wh_n).
    gruH: make(function (
      this: Ctx,
      xp: M,
      hh: M,
      hn: M,
      hPrev: M,
      t: number,
      T: number,
      H: number,
      nOff: number,
      after: number,
    ) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      const r = stableSigmoid(xp[row]![j]! + hh[this.thread.y]![j]!);
      const z = stableSigmoid(xp[row]![H + j]! + hh[this.thread.y]![H + j]!);
      const hnv = hn[this.thread.y]![nOff + j]!;
      let pre = xp[row]![2 * H + j]! + hnv;
      if (after > 0.5) pre = xp[row]![2 * H + j]! + r * hnv;
      const n = stableTanh(pre);
      return (1 - z) * n + z * hPrev[this.thread.y]![j]!;
    }),
    // The input side's pre-activations' gradient [B, 3H]: z and n; r here only with the reset after.
    gruDzn: make(function (
      this: Ctx,
      dhs: M,
      dh: M,
      xp: M,
      hh: M,
      hn: M,
      hPrev: M,
      t: number,
      T: number,
      H: number,
      nOff: number,
      after: number,
    ) {
      const row = this.thread.y * T + t;
      const q = Math.floor(this.thread.x / H);
      const j = this.thread.x - q * H;
      const dht = dhs[row]![j]! + dh[this.thread.y]![j]!;
      const r = stableSigmoid(xp[row]![j]! + hh[this.thread.y]![j]!);
      const z = stableSigmoid(xp[row]![H + j]! + hh[this.thread.y]![H + j]!);
      const hnv = hn[this.thread.y]![nOff + j]!;
      let pre = xp[row]![2 * H + j]! + hnv;
      if (after > 0.5) pre = xp[row]![2 * H + j]! + r * hnv;
      const n = stableTanh(pre);
      const dn = dht * (1 - z) * (1 - n * n);
      let out = dn;
      if (q < 0.5) {
        out = 0;
        if (after > 0.5) out = dn * hnv * r * (1 - r);
      } else if (q < 1.5) {
        out = dht * (hPrev[this.thread.y]![j]! - n) * z * (1 - z);
      }
      return out;
    }),
    // Reset before: r's block from d(r ⊙ h_{t−1}) = drh; the other blocks as they are.
    gruFixR: make(function (this: Ctx, dX: M, drh: M, xp: M, hh: M, hPrev: M, t: number, T: number, H: number) {
      let out = dX[this.thread.y]![this.thread.x]!;
      if (this.thread.x < H) {
        const j = this.thread.x;
        const r = stableSigmoid(xp[this.thread.y * T + t]![j]! + hh[this.thread.y]![j]!);
        out = drh[this.thread.y]![j]! * hPrev[this.thread.y]![j]! * r * (1 - r);
      }
      return out;
    }),
    // The recurrent side's: as the input side's, but n's block times r when the reset is after.
    gruDhp: make(function (this: Ctx, dX: M, xp: M, hh: M, t: number, T: number, H: number, after: number) {
      let out = dX[this.thread.y]![this.thread.x]!;
      if (after > 0.5 && this.thread.x >= 2 * H) {
        const j = this.thread.x - 2 * H;
        out = out * stableSigmoid(xp[this.thread.y * T + t]![j]! + hh[this.thread.y]![j]!);
      }
      return out;
    }),
    // dh_{t−1} = dHp·whᵀ (given as cr) + dh_t ⊙ z, and with the reset before, + drh ⊙ r.
    gruDh: make(function (
      this: Ctx,
      cr: M,
      dhs: M,
      dh: M,
      xp: M,
      hh: M,
      drh: M,
      t: number,
      T: number,
      H: number,
      after: number,
    ) {
      const row = this.thread.y * T + t;
      const j = this.thread.x;
      const dht = dhs[row]![j]! + dh[this.thread.y]![j]!;
      const z = stableSigmoid(xp[row]![H + j]! + hh[this.thread.y]![H + j]!);
      let out = cr[this.thread.y]![j]! + dht * z;
      if (after < 0.5) out += drh[this.thread.y]![j]! * stableSigmoid(xp[row]![j]! + hh[this.thread.y]![j]!);
      return out;
    }),
  };
}

/** Every kernel of a set, to destroy them. */
export const allGatedKernels = (k: GatedKernels): IKernelRunShortcut[] => Object.values(k);
