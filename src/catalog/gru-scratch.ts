/**
 * A GRU written the way one is written from scratch: one loop per step, sample, unit and gate, reading
 * like the contract's equations (docs/CONTRACT.md, gate blocks r, z, n, the reset gate after or before
 * the product). With `bug` undefined it is correct; each bug of the catalog (src/catalog/gated.ts)
 * changes the line a real implementation got wrong.
 */
import {
  checkBackward,
  checkForward,
  type CheckedCall,
  type Precision,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import type { Cell } from '../core/kinds.js';
import { sigmoid } from '../kernels/gated.js';
import { stored } from './stored.js';

export type GruBug =
  'gru-reset-before-when-after' | 'gru-recurrent-bias-ignored' | 'gru-gate-order-zrn' | 'gru-update-gate-flipped';

const [R, Z, N] = [0, 1, 2];

export class ScratchGru implements RnnBackend {
  readonly cells: readonly Cell[] = ['gru'];
  readonly gruResetBefore = true;

  constructor(
    readonly name: string,
    private readonly bug: GruBug | undefined,
    readonly precision: Precision = 'float64',
  ) {}

  /** The column of gate k's unit j in wx, wh, b and bh; Keras's order z, r, h when the code has it. */
  private col(k: number, j: number, H: number): number {
    return (this.bug === 'gru-gate-order-zrn' ? ([1, 0, 2][k] as number) : k) * H + j;
  }

  private bh(p: RnnParams, k: number, j: number, H: number): number {
    return this.bug === 'gru-recurrent-bias-ignored' ? 0 : ((p.bh as Tensor).data[this.col(k, j, H)] as number);
  }

  /** Whether the new gate takes the reset after the product. */
  private after(call: CheckedCall): boolean {
    return call.resetAfter && this.bug !== 'gru-reset-before-when-after';
  }

  /** r, z, n, the recurrent term hn of the new gate, and the hidden states of every step. */
  private run(call: CheckedCall, p: RnnParams, x: Tensor) {
    const { B, T, F, H } = call;
    const G = 3 * H;
    const gates = new Float64Array(B * T * G); // r, z, n of unit j at (row·H + j)·3
    const hn = new Float64Array(B * T * H);
    const hs = new Float64Array(B * T * H);
    const hPrev = (b: number, t: number, m: number) =>
      t > 0 ? (hs[(b * T + t - 1) * H + m] as number) : call.h0 === undefined ? 0 : (call.h0.data[b * H + m] as number);
    const xw = (row: number, k: number, j: number) => {
      let s = p.b.data[this.col(k, j, H)] as number;
      for (let f = 0; f < F; f++)
        s += (x.data[row * F + f] as number) * (p.wx.data[f * G + this.col(k, j, H)] as number);
      return s;
    };
    const hw = (b: number, t: number, k: number, j: number, scale: (m: number) => number) => {
      let s = this.bh(p, k, j, H);
      for (let m = 0; m < H; m++) s += scale(m) * hPrev(b, t, m) * (p.wh.data[m * G + this.col(k, j, H)] as number);
      return s;
    };
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        for (let j = 0; j < H; j++) {
          gates[(row * H + j) * 3 + R] = sigmoid(xw(row, R, j) + hw(b, t, R, j, () => 1));
          gates[(row * H + j) * 3 + Z] = sigmoid(xw(row, Z, j) + hw(b, t, Z, j, () => 1));
        }
        const r = (m: number) => gates[(row * H + m) * 3 + R] as number;
        for (let j = 0; j < H; j++) {
          const z = gates[(row * H + j) * 3 + Z] as number;
          const h = this.after(call) ? hw(b, t, N, j, () => 1) : hw(b, t, N, j, r);
          const n = Math.tanh(xw(row, N, j) + (this.after(call) ? r(j) * h : h));
          gates[(row * H + j) * 3 + N] = n;
          hn[row * H + j] = h;
          hs[row * H + j] =
            this.bug === 'gru-update-gate-flipped'
              ? z * n + (1 - z) * hPrev(b, t, j)
              : (1 - z) * n + z * hPrev(b, t, j);
        }
      }
    }
    return { gates, hn, hs, hPrev };
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const call = checkForward(`${this.name}.forward`, p, x, o);
    return stored(this.precision, [call.B, call.T, call.H], this.run(call, p, x).hs);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const call = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const { B, T, F, H } = call;
    const G = 3 * H;
    const after = this.after(call);
    const { gates, hn, hPrev } = this.run(call, p, x);
    const [dwx, dwh, db, dbh] = [
      new Float64Array(F * G),
      new Float64Array(H * G),
      new Float64Array(G),
      new Float64Array(G),
    ];
    const dx = new Float64Array(B * T * F);
    let dhNext = new Float64Array(B * H); // dL/dh_t arriving from step t + 1
    for (let t = T - 1; t >= 0; t--) {
      const dhPrev = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        const row = b * T + t;
        const gate = (k: number, j: number) => gates[(row * H + j) * 3 + k] as number;
        // Per unit: the input side's deltas dX (r, z, n) and the recurrent side's dHp (r, z, hn).
        const dX = Array.from({ length: H }, () => [0, 0, 0]);
        const dHp = Array.from({ length: H }, () => [0, 0, 0]);
        for (let j = 0; j < H; j++) {
          const [r, z, n] = [gate(R, j), gate(Z, j), gate(N, j)];
          const dh = (dhs.data[row * H + j] as number) + (dhNext[b * H + j] as number);
          const flipped = this.bug === 'gru-update-gate-flipped';
          const dn = flipped ? dh * z : dh * (1 - z);
          const dz = flipped ? dh * (n - hPrev(b, t, j)) : dh * (hPrev(b, t, j) - n);
          dhPrev[b * H + j] = (dhPrev[b * H + j] as number) + (flipped ? dh * (1 - z) : dh * z);
          const dan = dn * (1 - n * n);
          const daz = dz * z * (1 - z);
          const dar = after ? dan * (hn[row * H + j] as number) * r * (1 - r) : 0; // before: below
          dX[j] = [dar, daz, dan];
          dHp[j] = [dar, daz, after ? dan * r : dan];
        }
        if (!after) {
          // hn = (r ⊙ h_{t−1})·wh_n + bh_n: its gradient reaches r and h_{t−1} through the product.
          for (let m = 0; m < H; m++) {
            let s = 0;
            for (let j = 0; j < H; j++) s += (dHp[j]![N] as number) * (p.wh.data[m * G + this.col(N, j, H)] as number);
            const r = gate(R, m);
            dX[m]![R] = s * hPrev(b, t, m) * r * (1 - r);
            dHp[m]![R] = dX[m]![R] as number;
            dhPrev[b * H + m] = (dhPrev[b * H + m] as number) + s * r;
          }
        }
        for (let j = 0; j < H; j++) {
          for (const k of [R, Z, N]) {
            const col = this.col(k, j, H);
            const dXk = dX[j]![k] as number;
            const dHk = dHp[j]![k] as number;
            db[col] = (db[col] as number) + dXk;
            if (this.bug !== 'gru-recurrent-bias-ignored') dbh[col] = (dbh[col] as number) + dHk;
            for (let f = 0; f < F; f++) {
              dwx[f * G + col] = (dwx[f * G + col] as number) + (x.data[row * F + f] as number) * dXk;
              dx[row * F + f] = (dx[row * F + f] as number) + dXk * (p.wx.data[f * G + col] as number);
            }
            for (let m = 0; m < H; m++) {
              const through = k === N && !after ? gate(R, m) : 1; // before: the product saw r ⊙ h_{t−1}
              dwh[m * G + col] = (dwh[m * G + col] as number) + through * hPrev(b, t, m) * dHk;
              if (k !== N || after)
                dhPrev[b * H + m] = (dhPrev[b * H + m] as number) + dHk * (p.wh.data[m * G + col] as number);
            }
          }
        }
      }
      dhNext = dhPrev;
    }
    const out = (shape: number[], data: Float64Array) => stored(this.precision, shape, data);
    return {
      wx: out([F, G], dwx),
      wh: out([H, G], dwh),
      b: out([G], db),
      bh: out([G], dbh),
      x: out([B, T, F], dx),
      h0: out([B, H], dhNext),
    };
  }

  async dispose(): Promise<void> {}
}
