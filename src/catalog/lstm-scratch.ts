/**
 * An LSTM written the way one is written from scratch: one loop per step, sample, unit and gate, reading
 * like the contract's equations (docs/CONTRACT.md, gate blocks i, f, g, o). With `bug` undefined it is
 * correct; each bug of the catalog (src/catalog/gated.ts) changes the line a real implementation got wrong.
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

export type LstmBug =
  | 'lstm-gates-share-output-bias'
  | 'lstm-bias-grads-from-forget-gate'
  | 'lstm-output-gate-delta-without-tanh'
  | 'lstm-bias-grad-lost'
  | 'lstm-cell-grad-not-carried'
  | 'lstm-forget-bias-added-twice'
  | 'lstm-gate-order-iofc';

const [I, F_, G_, O] = [0, 1, 2, 3];

export class ScratchLstm implements RnnBackend {
  readonly cells: readonly Cell[] = ['lstm'];

  constructor(
    readonly name: string,
    private readonly bug: LstmBug | undefined,
    readonly precision: Precision = 'float64',
  ) {}

  /** The column of gate k's unit j in wx, wh and b; ONNX's order i, o, f, c when the code has it. */
  private col(k: number, j: number, H: number): number {
    return (this.bug === 'lstm-gate-order-iofc' ? ([0, 2, 3, 1][k] as number) : k) * H + j;
  }

  /** Gate k's bias for sample b. */
  private bias(p: RnnParams, k: number, j: number, H: number, b: number): number {
    const own = p.b.data[this.col(k, j, H)] as number;
    if (this.bug === 'lstm-gates-share-output-bias' && k !== O) return p.b.data[this.col(O, j, H)] as number;
    // Two threads both add the forget bias to every row but the first.
    if (this.bug === 'lstm-forget-bias-added-twice' && k === F_ && b > 0) return 2 * own;
    return own;
  }

  /** The gates (after their nonlinearities), cell states and hidden states of every step. */
  private run(call: CheckedCall, p: RnnParams, x: Tensor) {
    const { B, T, F, H } = call;
    const gates = new Float64Array(B * T * 4 * H);
    const cs = new Float64Array(B * T * H);
    const hs = new Float64Array(B * T * H);
    const hPrev = (b: number, t: number, m: number) =>
      t > 0 ? (hs[(b * T + t - 1) * H + m] as number) : call.h0 === undefined ? 0 : (call.h0.data[b * H + m] as number);
    const cPrev = (b: number, t: number, j: number) =>
      t > 0 ? (cs[(b * T + t - 1) * H + j] as number) : call.c0 === undefined ? 0 : (call.c0.data[b * H + j] as number);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        for (let j = 0; j < H; j++) {
          const a = [I, F_, G_, O].map((k) => {
            let s = this.bias(p, k, j, H, b);
            for (let f = 0; f < F; f++)
              s += (x.data[row * F + f] as number) * (p.wx.data[f * 4 * H + this.col(k, j, H)] as number);
            for (let m = 0; m < H; m++) s += hPrev(b, t, m) * (p.wh.data[m * 4 * H + this.col(k, j, H)] as number);
            return s;
          }) as [number, number, number, number];
          const [i, f, g, o] = [sigmoid(a[0]), sigmoid(a[1]), Math.tanh(a[2]), sigmoid(a[3])];
          const c = f * cPrev(b, t, j) + i * g;
          gates.set([i, f, g, o], (row * H + j) * 4);
          cs[row * H + j] = c;
          hs[row * H + j] = o * Math.tanh(c);
        }
      }
    }
    return { gates, cs, hs, hPrev, cPrev };
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const call = checkForward(`${this.name}.forward`, p, x, o);
    return stored(this.precision, [call.B, call.T, call.H], this.run(call, p, x).hs);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const call = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const { B, T, F, H } = call;
    const { gates, cs, hPrev, cPrev } = this.run(call, p, x);
    const [dwx, dwh, db] = [new Float64Array(F * 4 * H), new Float64Array(H * 4 * H), new Float64Array(4 * H)];
    const dx = new Float64Array(B * T * F);
    let dhNext = new Float64Array(B * H); // dL/dh_t arriving from step t + 1
    const dcNext = new Float64Array(B * H); // dL/dc_t arriving from step t + 1
    for (let t = T - 1; t >= 0; t--) {
      const dhPrev = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        const row = b * T + t;
        for (let j = 0; j < H; j++) {
          const [i, f, g, og] = gates.subarray((row * H + j) * 4, (row * H + j + 1) * 4) as unknown as number[];
          const c = cs[row * H + j] as number;
          const dh = (dhs.data[row * H + j] as number) + (dhNext[b * H + j] as number);
          const tc = Math.tanh(c);
          const carried = this.bug === 'lstm-cell-grad-not-carried' ? 0 : (dcNext[b * H + j] as number);
          const dc = dh * og! * (1 - tc * tc) + carried;
          const outputSide = this.bug === 'lstm-output-gate-delta-without-tanh' ? c : tc;
          const da = [
            dc * g! * i! * (1 - i!),
            dc * cPrev(b, t, j) * f! * (1 - f!),
            dc * i! * (1 - g! * g!),
            dh * outputSide * og! * (1 - og!),
          ];
          dcNext[b * H + j] = dc * f!;
          for (const k of [I, F_, G_, O]) {
            const col = this.col(k, j, H);
            const dak = da[k] as number;
            db[col] = (db[col] as number) + this.biasDelta(da, k);
            for (let ff = 0; ff < F; ff++) {
              dwx[ff * 4 * H + col] = (dwx[ff * 4 * H + col] as number) + (x.data[row * F + ff] as number) * dak;
              dx[row * F + ff] = (dx[row * F + ff] as number) + dak * (p.wx.data[ff * 4 * H + col] as number);
            }
            for (let m = 0; m < H; m++) {
              dwh[m * 4 * H + col] = (dwh[m * 4 * H + col] as number) + hPrev(b, t, m) * dak;
              dhPrev[b * H + m] = (dhPrev[b * H + m] as number) + dak * (p.wh.data[m * 4 * H + col] as number);
            }
          }
        }
      }
      dhNext = dhPrev;
    }
    const out = (shape: number[], data: Float64Array) => stored(this.precision, shape, data);
    return {
      wx: out([F, 4 * H], dwx),
      wh: out([H, 4 * H], dwh),
      b: out([4 * H], db),
      x: out([B, T, F], dx),
      h0: out([B, H], dhNext),
      c0: out([B, H], dcNext),
    };
  }

  /** What gate k's bias gradient takes from this unit's deltas. */
  private biasDelta(da: number[], k: number): number {
    if (this.bug === 'lstm-bias-grad-lost') return 0;
    if (this.bug === 'lstm-bias-grads-from-forget-gate' && (k === I || k === O)) return da[F_] as number;
    return da[k] as number;
  }

  async dispose(): Promise<void> {}
}
