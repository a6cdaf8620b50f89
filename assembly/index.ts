// The wasm engine's exports, compiled twice by scripts/build-wasm.mjs: once with --use PRECISION=64 (f64,
// f64x2 lanes) and once with --use PRECISION=32 (f32, f32x4 lanes). Every argument is a size, a flag or a
// byte offset into the imported (shared) memory.
import { backward as backwardT, forward as forwardT } from './rnn';
import { lstmBackward as lstmBackwardT, lstmForward as lstmForwardT } from './lstm';
import { gruBackward as gruBackwardT, gruForward as gruForwardT } from './gru';
import { gemm, pack as packT, transpose as transposeT } from './simd';

// PRECISION is a compile-time constant introduced by asc's --use (declaring it would make it an import).

/** Bytes per number: 8 or 4. */
export function elementBytes(): i32 {
  return PRECISION == 64 ? 8 : 4;
}

export function forward(
  B: i32,
  S: i32,
  F: i32,
  H: i32,
  relu: bool,
  x: usize,
  wx: usize,
  wxp: usize,
  wh: usize,
  whp: usize,
  b: usize,
  h0: usize,
  hs: usize,
): void {
  if (PRECISION == 64) forwardT<f64>(B, S, F, H, relu, x, wx, wxp, wh, whp, b, h0, hs);
  else forwardT<f32>(B, S, F, H, relu, x, wx, wxp, wh, whp, b, h0, hs);
}

export function backward(
  B: i32,
  S: i32,
  F: i32,
  H: i32,
  relu: bool,
  x: usize,
  wxt: usize,
  wxtp: usize,
  wht: usize,
  whtp: usize,
  h0: usize,
  hs: usize,
  dhs: usize,
  da: usize,
  dap: usize,
  scratch: usize,
  g: usize,
  dx: usize,
  dwx: usize,
  dwh: usize,
  db: usize,
): void {
  if (PRECISION == 64)
    backwardT<f64>(B, S, F, H, relu, x, wxt, wxtp, wht, whtp, h0, hs, dhs, da, dap, scratch, g, dx, dwx, dwh, db);
  else backwardT<f32>(B, S, F, H, relu, x, wxt, wxtp, wht, whtp, h0, hs, dhs, da, dap, scratch, g, dx, dwx, dwh, db);
}

/** The LSTM's forward pass for one chunk: gates, cs and hs (see lstm.ts). */
export function lstmForward(B: i32, S: i32, F: i32, H: i32, x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, b: usize, h0: usize, c0: usize, gates: usize, cs: usize, hs: usize): void {
  if (PRECISION == 64) lstmForwardT<f64>(B, S, F, H, x, wx, wxp, wh, whp, b, h0, c0, gates, cs, hs);
  else lstmForwardT<f32>(B, S, F, H, x, wx, wxp, wh, whp, b, h0, c0, gates, cs, hs);
}

/** The LSTM's gradients for one chunk: its forward pass again (the contract gives hs only), then backward. */
export function lstmBackward(
  B: i32, S: i32, F: i32, H: i32,
  x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, b: usize, h0: usize, c0: usize,
  gates: usize, cs: usize, hs: usize, wxt: usize, wxtp: usize, wht: usize, whtp: usize, dhs: usize,
  da: usize, dap: usize, scratch: usize, g: usize, dc: usize, dx: usize, dwx: usize, dwh: usize, db: usize,
): void {
  if (PRECISION == 64) {
    lstmForwardT<f64>(B, S, F, H, x, wx, wxp, wh, whp, b, h0, c0, gates, cs, hs);
    lstmBackwardT<f64>(B, S, F, H, x, wxt, wxtp, wht, whtp, h0, c0, gates, cs, hs, dhs, da, dap, scratch, g, dc, dx, dwx, dwh, db);
  } else {
    lstmForwardT<f32>(B, S, F, H, x, wx, wxp, wh, whp, b, h0, c0, gates, cs, hs);
    lstmBackwardT<f32>(B, S, F, H, x, wxt, wxtp, wht, whtp, h0, c0, gates, cs, hs, dhs, da, dap, scratch, g, dc, dx, dwx, dwh, db);
  }
}

/** The GRU's forward pass for one chunk: gates, hn and hs (see gru.ts). */
export function gruForward(
  B: i32, S: i32, F: i32, H: i32, after: bool,
  x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, whnp: usize, b: usize, bh: usize, h0: usize,
  gates: usize, hn: usize, hs: usize, hp: usize, rh: usize,
): void {
  if (PRECISION == 64) gruForwardT<f64>(B, S, F, H, after, x, wx, wxp, wh, whp, whnp, b, bh, h0, gates, hn, hs, hp, rh);
  else gruForwardT<f32>(B, S, F, H, after, x, wx, wxp, wh, whp, whnp, b, bh, h0, gates, hn, hs, hp, rh);
}

/** The GRU's gradients for one chunk: its forward pass again, then backward. */
export function gruBackward(
  B: i32, S: i32, F: i32, H: i32, after: bool,
  x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, whnp: usize, b: usize, bh: usize, h0: usize,
  gates: usize, hn: usize, hs: usize, hp: usize, rh: usize,
  wxt: usize, wxtp: usize, wht: usize, whtp: usize, whnt: usize, whntp: usize, dhs: usize,
  dX: usize, dHp: usize, dXp: usize, dHpp: usize, dHnp: usize, scratch: usize, drh: usize, g: usize,
  dx: usize, dwx: usize, dwh: usize, db: usize, dbh: usize,
): void {
  if (PRECISION == 64) {
    gruForwardT<f64>(B, S, F, H, after, x, wx, wxp, wh, whp, whnp, b, bh, h0, gates, hn, hs, hp, rh);
    gruBackwardT<f64>(B, S, F, H, after, x, wxt, wxtp, wht, whtp, whnt, whntp, h0, gates, hn, hs, dhs, dX, dHp, dXp, dHpp, dHnp, scratch, drh, g, dx, dwx, dwh, db, dbh);
  } else {
    gruForwardT<f32>(B, S, F, H, after, x, wx, wxp, wh, whp, whnp, b, bh, h0, gates, hn, hs, hp, rh);
    gruBackwardT<f32>(B, S, F, H, after, x, wxt, wxtp, wht, whtp, whnt, whntp, h0, gates, hn, hs, dhs, dX, dHp, dXp, dHpp, dHnp, scratch, drh, g, dx, dwx, dwh, db, dbh);
  }
}

/** B [K×N] packed into panels of two vectors (see pack in simd.ts). */
export function pack(K: i32, N: i32, b: usize, ldb: i32, bp: usize): void {
  if (PRECISION == 64) packT<f64>(K, N, b, ldb, bp);
  else packT<f32>(K, N, b, ldb, bp);
}

export function transpose(rows: i32, cols: i32, src: usize, dst: usize): void {
  if (PRECISION == 64) transposeT<f64>(rows, cols, src, dst);
  else transposeT<f32>(rows, cols, src, dst);
}

/** C = A·B for n×n matrices, B packed into bp first: the product bench times for the machine limit. */
export function matmul(n: i32, a: usize, b: usize, bp: usize, c: usize): void {
  if (PRECISION == 64) {
    packT<f64>(n, n, b, n, bp);
    gemm<f64>(n, n, n, a, n, 1, b, n, bp, <usize>n * 32, c, n, false);
  } else {
    packT<f32>(n, n, b, n, bp);
    gemm<f32>(n, n, n, a, n, 1, b, n, bp, <usize>n * 32, c, n, false);
  }
}
