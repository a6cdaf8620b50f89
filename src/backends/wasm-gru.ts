/**
 * The GRU on the wasm engine (assembly/gru.ts): the host's half of a call, as wasm-lstm.ts is the LSTM's.
 * The reset gate after the product (resetAfter) or before it, both.
 */
import type { CheckedCall, RnnGradients, RnnParams } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import type { Dispatch, WasmEngine } from './wasm-engine.js';

/** The forward pass's inputs, outputs and scratch in the arena; each chunk's arguments for gruForward. */
function forwardLayout(e: WasmEngine, c: CheckedCall, p: RnnParams, x: Tensor, chunks: [number, number][]) {
  const { B, T, F, H } = c;
  const G = 3 * H;
  const n = e.bytes;
  const [[wx, wxp], [wh, whp]] = [e.putPacked(p.wx.data, F, G), e.putPacked(p.wh.data, H, G)];
  // The n block of wh packed on its own, for (r ⊙ h)·wh_n when the reset comes first.
  const whnp = e.alloc(H * H);
  e.exports.pack(H, H, wh + 2 * H * n, G, whnp);
  const [b, bh, xs] = [e.put(p.b.data), e.put((p.bh as Tensor).data), e.put(x.data)];
  const h0 = c.h0 === undefined ? 0 : e.put(c.h0.data);
  const [gates, hn, hs] = [e.alloc(B * T * G), e.alloc(B * T * H), e.alloc(B * T * H)];
  const [hp, rh] = [e.alloc(B * G), e.alloc(B * H)];
  const args = chunks.map(([from, to]) => [
    to - from,
    T,
    F,
    H,
    c.resetAfter ? 1 : 0,
    xs + from * T * F * n,
    wx,
    wxp,
    wh,
    whp,
    whnp,
    b,
    bh,
    h0 === 0 ? 0 : h0 + from * H * n,
    gates + from * T * G * n,
    hn + from * T * H * n,
    hs + from * T * H * n,
    hp + from * G * n,
    rh + from * H * n,
  ]);
  return { wx, wh, hs, args };
}

export async function wasmGruForward(
  e: WasmEngine,
  c: CheckedCall,
  p: RnnParams,
  x: Tensor,
  chunks: [number, number][],
  dispatch: Dispatch,
): Promise<Tensor> {
  e.reset();
  const { hs, args } = forwardLayout(e, c, p, x, chunks);
  await dispatch('gruForward', args);
  return { shape: [c.B, c.T, c.H], data: e.take(hs, c.B * c.T * c.H) };
}

export async function wasmGruBackward(
  e: WasmEngine,
  c: CheckedCall,
  p: RnnParams,
  x: Tensor,
  dhs: Tensor,
  chunks: [number, number][],
  dispatch: Dispatch,
): Promise<RnnGradients> {
  const { B, T, F, H } = c;
  const G = 3 * H;
  const n = e.bytes;
  e.reset();
  const fwd = forwardLayout(e, c, p, x, chunks);
  const [[wxt, wxtp], [wht, whtp]] = [e.transposed(fwd.wx, F, G), e.transposed(fwd.wh, H, G)];
  // wh_nᵀ [H,H]: the rows 2H…3H−1 of whᵀ, plain and packed.
  const whnt = wht + 2 * H * H * n;
  const whntp = e.alloc(H * H);
  e.exports.pack(H, H, whnt, H, whntp);
  const dhsP = e.put(dhs.data);
  const rows = B * T;
  const [dX, dHp, dXp, dHpp, dHnp] = [
    e.alloc(rows * G),
    e.alloc(rows * G),
    e.alloc(rows * G),
    e.alloc(rows * G),
    e.alloc(rows * H),
  ];
  const scratch = e.alloc(rows * Math.max(F, H));
  const [drh, g, dx] = [e.alloc(B * H), e.alloc(B * H), e.alloc(rows * F)];
  // Parameter gradients: one region per chunk, summed below.
  const k = chunks.length;
  const [dwx, dwh, db, dbh] = [e.alloc(k * F * G), e.alloc(k * H * G), e.alloc(k * G), e.alloc(k * G)];
  await dispatch(
    'gruBackward',
    chunks.map(([from], i) => [
      ...(fwd.args[i] as number[]),
      wxt,
      wxtp,
      wht,
      whtp,
      whnt,
      whntp,
      dhsP + from * T * H * n,
      dX + from * T * G * n,
      dHp + from * T * G * n,
      dXp + from * T * G * n,
      dHpp + from * T * G * n,
      dHnp + from * T * H * n,
      scratch + from * T * Math.max(F, H) * n,
      drh + from * H * n,
      g + from * H * n,
      dx + from * T * F * n,
      dwx + i * F * G * n,
      dwh + i * H * G * n,
      db + i * G * n,
      dbh + i * G * n,
    ]),
  );
  const summed = (at: number, size: number) => e.sumOfChunks(at, size, k);
  return {
    wx: { shape: [F, G], data: summed(dwx, F * G) },
    wh: { shape: [H, G], data: summed(dwh, H * G) },
    b: { shape: [G], data: summed(db, G) },
    bh: { shape: [G], data: summed(dbh, G) },
    x: { shape: [B, T, F], data: e.take(dx, B * T * F) },
    h0: { shape: [B, H], data: e.take(g, B * H) },
  };
}
