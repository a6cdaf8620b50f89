/**
 * The LSTM on the wasm engine (assembly/lstm.ts): the host's half of a call. It lays the call's tensors
 * out in the arena, gives each batch chunk its byte offsets (the calling thread and the workers run the
 * chunks on the same memory), and sums the chunks' parameter gradients.
 */
import type { CheckedCall, RnnGradients, RnnParams } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import type { Dispatch, WasmEngine } from './wasm-engine.js';

/** The forward pass's inputs and outputs in the arena; each chunk's arguments for lstmForward. */
function forwardLayout(e: WasmEngine, c: CheckedCall, p: RnnParams, x: Tensor, chunks: [number, number][]) {
  const { B, T, F, H } = c;
  const G = 4 * H;
  const n = e.bytes;
  const [[wx, wxp], [wh, whp]] = [e.putPacked(p.wx.data, F, G), e.putPacked(p.wh.data, H, G)];
  const [b, xs] = [e.put(p.b.data), e.put(x.data)];
  const h0 = c.h0 === undefined ? 0 : e.put(c.h0.data);
  const c0 = c.c0 === undefined ? 0 : e.put(c.c0.data);
  const [gates, cs, hs] = [e.alloc(B * T * G), e.alloc(B * T * H), e.alloc(B * T * H)];
  const args = chunks.map(([from, to]) => [
    to - from,
    T,
    F,
    H,
    xs + from * T * F * n,
    wx,
    wxp,
    wh,
    whp,
    b,
    h0 === 0 ? 0 : h0 + from * H * n,
    c0 === 0 ? 0 : c0 + from * H * n,
    gates + from * T * G * n,
    cs + from * T * H * n,
    hs + from * T * H * n,
  ]);
  return { wx, wh, hs, args };
}

export async function wasmLstmForward(
  e: WasmEngine,
  c: CheckedCall,
  p: RnnParams,
  x: Tensor,
  chunks: [number, number][],
  dispatch: Dispatch,
): Promise<Tensor> {
  e.reset();
  const { hs, args } = forwardLayout(e, c, p, x, chunks);
  await dispatch('lstmForward', args);
  return { shape: [c.B, c.T, c.H], data: e.take(hs, c.B * c.T * c.H) };
}

export async function wasmLstmBackward(
  e: WasmEngine,
  c: CheckedCall,
  p: RnnParams,
  x: Tensor,
  dhs: Tensor,
  chunks: [number, number][],
  dispatch: Dispatch,
): Promise<RnnGradients> {
  const { B, T, F, H } = c;
  const G = 4 * H;
  const n = e.bytes;
  e.reset();
  const fwd = forwardLayout(e, c, p, x, chunks);
  const [[wxt, wxtp], [wht, whtp]] = [e.transposed(fwd.wx, F, G), e.transposed(fwd.wh, H, G)];
  const dhsP = e.put(dhs.data);
  const [da, dap, scratch] = [e.alloc(B * T * G), e.alloc(B * T * G), e.alloc(B * T * Math.max(F, H))];
  const [g, dc, dx] = [e.alloc(B * H), e.alloc(B * H), e.alloc(B * T * F)];
  // Parameter gradients: one region per chunk, summed below.
  const k = chunks.length;
  const [dwx, dwh, db] = [e.alloc(k * F * G), e.alloc(k * H * G), e.alloc(k * G)];
  await dispatch(
    'lstmBackward',
    chunks.map(([from], i) => [
      ...(fwd.args[i] as number[]),
      wxt,
      wxtp,
      wht,
      whtp,
      dhsP + from * T * H * n,
      da + from * T * G * n,
      dap + from * T * G * n,
      scratch + from * T * Math.max(F, H) * n,
      g + from * H * n,
      dc + from * H * n,
      dx + from * T * F * n,
      dwx + i * F * G * n,
      dwh + i * H * G * n,
      db + i * G * n,
    ]),
  );
  const summed = (at: number, size: number) => e.sumOfChunks(at, size, k);
  return {
    wx: { shape: [F, G], data: summed(dwx, F * G) },
    wh: { shape: [H, G], data: summed(dwh, H * G) },
    b: { shape: [G], data: summed(db, G) },
    x: { shape: [B, T, F], data: e.take(dx, B * T * F) },
    h0: { shape: [B, H], data: e.take(g, B * H) },
    c0: { shape: [B, H], data: e.take(dc, B * H) },
  };
}
