/**
 * The reference LSTM (docs/CONTRACT.md) over flat row-major Float64Arrays, batch-major like the SimpleRNN
 * kernel: x [B,T,F], wx [F,4H], wh [H,4H], b [4H], h0 and c0 [B,H]; gate blocks i, f, g, o.
 *
 *     a_t = x_t·wx + h_{t−1}·wh + b;  i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *     c_t = f ⊙ c_{t−1} + i ⊙ g;      h_t = o ⊙ tanh(c_t)
 *
 * Backward recomputes the forward pass (the contract gives it hs, not the gates or the cell state) and
 * runs the steps backwards; x·wx, dwx, dwh and dx are one product each over all B·T rows.
 */
import type { Dims } from '../core/rnn.js';
import { gemmABt, transpose } from './gemm.js';
import { inputProjection, previousStatesT, sigmoid, type GatedArrays, type GatedGradients } from './gated.js';

/** The forward pass's internals that backward needs: the gates, the cell states and the hidden states. */
export type LstmTrace = { gates: Float64Array; cs: Float64Array; hs: Float64Array };

/** Forward: hs [B·T·H]; with the gates (after their nonlinearities) and every cell state, for backward. */
export function lstmForward(d: Dims, a: GatedArrays): LstmTrace {
  const { B, T, H } = d;
  const G = 4 * H;
  const gates = new Float64Array(B * T * G);
  const cs = new Float64Array(B * T * H);
  const hs = new Float64Array(B * T * H);
  inputProjection(d, 4, a.x, a.wx, a.b, gates);
  const whT = transpose(a.wh, 0, H, G);
  for (let t = 0; t < T; t++) {
    // a_t += h_{t−1}·wh for the whole batch (h0 at the first step; nothing to add for zeros).
    if (t > 0) gemmABt(B, G, H, hs, (t - 1) * H, T * H, whT, 0, H, gates, t * G, T * G, true);
    else if (a.h0 !== undefined) gemmABt(B, G, H, a.h0, 0, H, whT, 0, H, gates, 0, T * G, true);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const g0 = row * G;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[g0 + j]!);
        const f = sigmoid(gates[g0 + H + j]!);
        const g = Math.tanh(gates[g0 + 2 * H + j]!);
        const o = sigmoid(gates[g0 + 3 * H + j]!);
        const cPrev = t > 0 ? cs[(row - 1) * H + j]! : a.c0 === undefined ? 0 : a.c0[b * H + j]!;
        const c = f * cPrev + i * g;
        gates[g0 + j] = i;
        gates[g0 + H + j] = f;
        gates[g0 + 2 * H + j] = g;
        gates[g0 + 3 * H + j] = o;
        cs[row * H + j] = c;
        hs[row * H + j] = o * Math.tanh(c);
      }
    }
  }
  return { gates, cs, hs };
}

/** Backward through time for L = Σ dhs ⊙ hs: every gradient of `out` (zeroed by the caller). */
export function lstmBackward(d: Dims, a: GatedArrays, dhs: Float64Array, out: GatedGradients): void {
  const { B, T, F, H } = d;
  const G = 4 * H;
  const rows = B * T;
  const { gates, cs, hs } = lstmForward(d, a);
  const da = new Float64Array(rows * G);
  const dh = out.h0; // dL/dh_t arriving from step t + 1; ends as dh0
  const dc = out.c0; // dL/dc_t arriving from step t + 1; ends as dc0
  dh.fill(0);
  dc.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const g0 = row * G;
      for (let j = 0; j < H; j++) {
        const i = gates[g0 + j]!;
        const f = gates[g0 + H + j]!;
        const g = gates[g0 + 2 * H + j]!;
        const o = gates[g0 + 3 * H + j]!;
        const c = cs[row * H + j]!;
        const cPrev = t > 0 ? cs[(row - 1) * H + j]! : a.c0 === undefined ? 0 : a.c0[b * H + j]!;
        const dht = dhs[row * H + j]! + dh[b * H + j]!;
        const tc = Math.tanh(c);
        const dct = dht * o * (1 - tc * tc) + dc[b * H + j]!;
        da[g0 + j] = dct * g * i * (1 - i); // through i
        da[g0 + H + j] = dct * cPrev * f * (1 - f); // through f
        da[g0 + 2 * H + j] = dct * i * (1 - g * g); // through g
        da[g0 + 3 * H + j] = dht * tc * o * (1 - o); // through o
        dc[b * H + j] = dct * f; // carried to c_{t−1}
      }
    }
    gemmABt(B, H, G, da, t * G, T * G, a.wh, 0, G, dh, 0, H, false); // dh_{t−1} = da_t·whᵀ
  }
  for (let r = 0; r < rows; r++) for (let k = 0; k < G; k++) out.b[k] = out.b[k]! + da[r * G + k]!;
  gemmABt(rows, F, G, da, 0, G, a.wx, 0, G, out.x, 0, F, true); // dx = da·wxᵀ
  const daT = transpose(da, 0, rows, G);
  gemmABt(F, G, rows, transpose(a.x, 0, rows, F), 0, rows, daT, 0, rows, out.wx, 0, G, true); // dwx = xᵀ·da
  gemmABt(H, G, rows, previousStatesT(d, hs, a.h0), 0, rows, daT, 0, rows, out.wh, 0, G, true); // dwh
}
