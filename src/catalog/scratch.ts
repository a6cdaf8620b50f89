/**
 * A SimpleRNN written the way a learner writes it from scratch: one loop per time step, per sample, per
 * unit, reading like the equations of the math contract (docs/CONTRACT.md). With `bug` undefined it is correct; each
 * bug
 * of the catalog (src/catalog/index.ts) changes exactly the line a real scratch implementation gets wrong.
 */
import {
  checkBackward,
  checkForward,
  type Precision,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { stored } from './stored.js';

export type ScratchBug =
  | 'overwritten-weight-grads'
  | 'dwh-uses-h-t'
  | 'output-grad-every-step'
  | 'no-recurrent-carry'
  | 'tanh-derivative-twice'
  | 'backward-loop-forward-in-time'
  | 'wh-transposed'
  | 'bias-grad-averaged'
  | 'h0-ignored'
  | 'float32-accumulation'
  | 'overflowing-tanh';

export class ScratchRnn implements RnnBackend {
  constructor(
    readonly name: string,
    private readonly bug: ScratchBug | undefined,
    readonly precision: Precision = 'float64',
  ) {}

  /** wh[k][j], or wh[j][k] when the code has wh the wrong way round. */
  private w(wh: Tensor, k: number, j: number, H: number): number {
    return (this.bug === 'wh-transposed' ? wh.data[j * H + k] : wh.data[k * H + j]) as number;
  }

  private tanh(a: number): number {
    if (this.bug === 'overflowing-tanh') return (Math.exp(2 * a) - 1) / (Math.exp(2 * a) + 1);
    return Math.tanh(a);
  }

  /** Outputs as this precision stores them. */
  private out(shape: number[], data: Float64Array | Float32Array): Tensor {
    return stored(this.precision, shape, data);
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const { B, T, F, H, activation, h0 } = checkForward(`${this.name}.forward`, p, x, o);
    const hs = new Float64Array(B * T * H);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < H; j++) {
          let a = p.b.data[j] as number;
          for (let f = 0; f < F; f++) a += (x.data[(b * T + t) * F + f] as number) * (p.wx.data[f * H + j] as number);
          for (let k = 0; k < H; k++) {
            const hPrev =
              t > 0
                ? (hs[(b * T + t - 1) * H + k] as number)
                : h0 === undefined || this.bug === 'h0-ignored'
                  ? 0
                  : (h0.data[b * H + k] as number);
            a += hPrev * this.w(p.wh, k, j, H);
          }
          hs[(b * T + t) * H + j] = activation === 'tanh' ? this.tanh(a) : Math.max(a, 0);
        }
      }
    }
    return this.out([B, T, H], hs);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const { B, T, F, H, activation, h0 } = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const Acc = this.bug === 'float32-accumulation' ? Float32Array : Float64Array;
    const [dwx, dwh, db] = [new Acc(F * H), new Acc(H * H), new Acc(H)];
    const dx = new Float64Array(B * T * F);
    let dhNext = new Float64Array(B * H); // dL/dh_t arriving from step t + 1
    const h = (b: number, t: number, k: number) =>
      t >= 0
        ? (hs.data[(b * T + t) * H + k] as number)
        : h0 === undefined || this.bug === 'h0-ignored'
          ? 0
          : (h0.data[b * H + k] as number);
    const steps = Array.from({ length: T }, (_, i) => (this.bug === 'backward-loop-forward-in-time' ? i : T - 1 - i));
    for (const t of steps) {
      if (this.bug === 'overwritten-weight-grads') [dwx, dwh, db].forEach((g) => g.fill(0));
      const dhPrev = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const upstream = dhs.data[(b * T + (this.bug === 'output-grad-every-step' ? T - 1 : t)) * H + j] as number;
          const carried = this.bug === 'no-recurrent-carry' ? 0 : (dhNext[b * H + j] as number);
          const ht = h(b, t, j);
          let slope = activation === 'tanh' ? 1 - ht * ht : ht > 0 ? 1 : 0;
          if (this.bug === 'tanh-derivative-twice' && activation === 'tanh') slope *= 1 - ht * ht;
          const da = (upstream + carried) * slope;
          db[j] = (db[j] as number) + da;
          for (let f = 0; f < F; f++) {
            dwx[f * H + j] = (dwx[f * H + j] as number) + (x.data[(b * T + t) * F + f] as number) * da;
            dx[(b * T + t) * F + f] = (dx[(b * T + t) * F + f] as number) + da * (p.wx.data[f * H + j] as number);
          }
          for (let k = 0; k < H; k++) {
            const hPrev = this.bug === 'dwh-uses-h-t' ? h(b, t, k) : h(b, t - 1, k);
            dwh[k * H + j] = (dwh[k * H + j] as number) + hPrev * da;
            dhPrev[b * H + k] = (dhPrev[b * H + k] as number) + da * this.w(p.wh, k, j, H);
          }
        }
      }
      dhNext = dhPrev;
    }
    if (this.bug === 'bias-grad-averaged') db.forEach((v, j) => (db[j] = v / B));
    return {
      wx: this.out([F, H], dwx),
      wh: this.out([H, H], dwh),
      b: this.out([H], db),
      x: this.out([B, T, F], dx),
      h0: this.out([B, H], this.bug === 'h0-ignored' ? new Float64Array(B * H) : dhNext),
    };
  }

  async dispose(): Promise<void> {}
}
