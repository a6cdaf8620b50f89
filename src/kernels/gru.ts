/**
 * The reference GRU (docs/CONTRACT.md) over flat row-major Float64Arrays: x [B,T,F], wx [F,3H], wh [H,3H],
 * b [3H] (input bias), bh [3H] (recurrent bias), h0 [B,H]; gate blocks r, z, n.
 *
 *     (xr, xz, xn) = x_t·wx + b;   r = σ(xr + hr), z = σ(xz + hz)
 *     resetAfter:   (hr, hz, hn) = h_{t−1}·wh + bh;            n = tanh(xn + r ⊙ hn)
 *     reset before: (hr, hz) as above, hn = (r ⊙ h_{t−1})·wh_n + bh_n;  n = tanh(xn + hn)
 *     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * Backward recomputes the forward pass and runs the steps backwards. It keeps two gradients per row:
 * dX, of the input side's pre-activations (xr, xz, xn), and dHp, of the recurrent side's (hr, hz, hn);
 * they differ only in the n block. b, wx and x take dX; bh, wh and h_{t−1} take dHp.
 */
import type { Dims } from '../core/rnn.js';
import { gemmABt, transpose } from './gemm.js';
import { inputProjection, previousStatesT, sigmoid, type GatedArrays, type GatedGradients } from './gated.js';

/** The forward pass's internals that backward needs: r, z, n per row, the recurrent term hn, and hs. */
export type GruTrace = { gates: Float64Array; hn: Float64Array; hs: Float64Array };

/** h_{t−1} for the whole batch at step t: the array, its offset and row stride (undefined: zeros). */
function previous(d: Dims, hs: Float64Array, h0: Float64Array | undefined, t: number) {
  if (t > 0) return { data: hs, offset: (t - 1) * d.H, stride: d.T * d.H };
  return h0 === undefined ? undefined : { data: h0, offset: 0, stride: d.H };
}

/** Forward: hs [B·T·H], with the gates and hn of every row for backward. */
export function gruForward(d: Dims, a: GatedArrays, resetAfter: boolean): GruTrace {
  const { B, T, H } = d;
  const G = 3 * H;
  const bh = a.bh as Float64Array;
  const gates = new Float64Array(B * T * G); // x_t·wx + b, then r, z, n
  const hn = new Float64Array(B * T * H);
  const hs = new Float64Array(B * T * H);
  inputProjection(d, 3, a.x, a.wx, a.b, gates);
  const whT = transpose(a.wh, 0, H, G); // [3H, H]: rows 0…2H−1 for r and z, 2H…3H−1 for n
  const hp = new Float64Array(B * G); // h_{t−1}·wh + bh for this step
  const rh = new Float64Array(B * H); // r ⊙ h_{t−1} (reset before)
  for (let t = 0; t < T; t++) {
    const prev = previous(d, hs, a.h0, t);
    for (let b = 0; b < B; b++) hp.set(bh, b * G);
    // resetAfter: all three blocks from h_{t−1}; reset before: r and z only (n needs r first).
    const cols = resetAfter ? G : 2 * H;
    if (prev) gemmABt(B, cols, H, prev.data, prev.offset, prev.stride, whT, 0, H, hp, 0, G, true);
    const at = (b: number, j: number) => (prev ? prev.data[prev.offset + b * prev.stride + j]! : 0);
    for (let b = 0; b < B; b++) {
      const g0 = (b * T + t) * G;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(gates[g0 + j]! + hp[b * G + j]!);
        gates[g0 + j] = r;
        gates[g0 + H + j] = sigmoid(gates[g0 + H + j]! + hp[b * G + H + j]!);
        rh[b * H + j] = r * at(b, j);
      }
    }
    if (!resetAfter) {
      // hn = bh_n (already in hp) + (r ⊙ h_{t−1})·wh_n
      gemmABt(B, H, H, rh, 0, H, whT, 2 * H * H, H, hp, 2 * H, G, true);
    }
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const g0 = row * G;
      for (let j = 0; j < H; j++) {
        const r = gates[g0 + j]!;
        const z = gates[g0 + H + j]!;
        const h = hp[b * G + 2 * H + j]!;
        const n = Math.tanh(gates[g0 + 2 * H + j]! + (resetAfter ? r * h : h));
        gates[g0 + 2 * H + j] = n;
        hn[row * H + j] = h;
        hs[row * H + j] = (1 - z) * n + z * at(b, j);
      }
    }
  }
  return { gates, hn, hs };
}

/** Backward through time for L = Σ dhs ⊙ hs: every gradient of `out` (bh included; zeroed by the caller). */
export function gruBackward(
  d: Dims,
  a: GatedArrays,
  resetAfter: boolean,
  dhs: Float64Array,
  out: GatedGradients,
): void {
  const { B, T, F, H } = d;
  const G = 3 * H;
  const rows = B * T;
  const { gates, hn, hs } = gruForward(d, a, resetAfter);
  const dX = new Float64Array(rows * G);
  const dHp = new Float64Array(rows * G);
  const dh = out.h0; // dL/dh_t arriving from step t + 1; ends as dh0
  const dht = new Float64Array(B * H);
  const drh = new Float64Array(B * H); // dL/d(r ⊙ h_{t−1}) (reset before)
  dh.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const prev = previous(d, hs, a.h0, t);
    const at = (b: number, j: number) => (prev ? prev.data[prev.offset + b * prev.stride + j]! : 0);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const g0 = row * G;
      for (let j = 0; j < H; j++) {
        const r = gates[g0 + j]!;
        const z = gates[g0 + H + j]!;
        const n = gates[g0 + 2 * H + j]!;
        const hPrev = at(b, j);
        const dhtj = dhs[row * H + j]! + dh[b * H + j]!;
        dht[b * H + j] = dhtj;
        const dan = dhtj * (1 - z) * (1 - n * n); // through n's tanh
        const daz = dhtj * (hPrev - n) * z * (1 - z);
        dX[g0 + H + j] = daz;
        dHp[g0 + H + j] = daz;
        dX[g0 + 2 * H + j] = dan;
        dHp[g0 + 2 * H + j] = resetAfter ? dan * r : dan;
        if (resetAfter) {
          const dar = dan * hn[row * H + j]! * r * (1 - r);
          dX[g0 + j] = dar;
          dHp[g0 + j] = dar;
        }
        dh[b * H + j] = dhtj * z; // the direct path z ⊙ h_{t−1}
      }
    }
    if (!resetAfter) {
      // d(r ⊙ h_{t−1}) = dhn·wh_nᵀ, then r's gradient and r's share of dh_{t−1}.
      gemmABt(B, H, H, dHp, t * G + 2 * H, T * G, a.wh, 2 * H, G, drh, 0, H, false);
      for (let b = 0; b < B; b++) {
        const g0 = (b * T + t) * G;
        for (let j = 0; j < H; j++) {
          const r = gates[g0 + j]!;
          const dar = drh[b * H + j]! * at(b, j) * r * (1 - r);
          dX[g0 + j] = dar;
          dHp[g0 + j] = dar;
          dh[b * H + j] = dh[b * H + j]! + drh[b * H + j]! * r;
        }
      }
    }
    // dh_{t−1} += dHp_t·whᵀ over the blocks that multiply h_{t−1} itself.
    gemmABt(B, H, resetAfter ? G : 2 * H, dHp, t * G, T * G, a.wh, 0, G, dh, 0, H, true);
  }
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < G; k++) {
      out.b[k] = out.b[k]! + dX[r * G + k]!;
      out.bh[k] = out.bh[k]! + dHp[r * G + k]!;
    }
  }
  gemmABt(rows, F, G, dX, 0, G, a.wx, 0, G, out.x, 0, F, true); // dx = dX·wxᵀ
  gemmABt(F, G, rows, transpose(a.x, 0, rows, F), 0, rows, transpose(dX, 0, rows, G), 0, rows, out.wx, 0, G, true);
  // dwh = h_{t−1}ᵀ·dHp, except the n block before the reset: (r ⊙ h_{t−1})ᵀ·dHp_n.
  const prevT = previousStatesT(d, hs, a.h0);
  const dHpT = transpose(dHp, 0, rows, G);
  gemmABt(H, resetAfter ? G : 2 * H, rows, prevT, 0, rows, dHpT, 0, rows, out.wh, 0, G, true);
  if (!resetAfter) {
    for (let k = 0; k < H; k++)
      for (let r = 0; r < rows; r++) prevT[k * rows + r] = prevT[k * rows + r]! * gates[r * G + k]!;
    gemmABt(H, H, rows, prevT, 0, rows, dHpT, 2 * H * rows, rows, out.wh, 2 * H, G, true);
  }
}
