// The SimpleRNN of the math contract for one chunk of the batch, generic in T (f64 or f32), over raw
// pointers into linear memory that the host has filled: x [B,S,F], wx [F,H], wh [H,H], b [H], h0 [B,H] or 0,
// hs and dhs [B,S,H], with S the time steps. Row r = b·S + t is sample b at step t, so the rows of one
// step are S·H apart. Every product goes through gemm (simd.ts).
import { activate, activationGradient, gemm, pack, sumRows, transpose } from './simd';

// @ts-ignore: decorator
@inline function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

/**
 * hs_t = f(x_t·wx + h_{t−1}·wh + b) for every step: one product for x·wx over all B·S rows, then one per
 * step. wxp and whp hold wx and wh packed (see pack), which the caller does once per call.
 */
export function forward<T>(B: i32, S: i32, F: i32, H: i32, relu: bool, x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, b: usize, h0: usize, hs: usize): void {
  const rows = B * S;
  const rowBytes = <usize>H << alignof<T>();
  for (let r = 0; r < rows; r++) memory.copy(hs + <usize>r * rowBytes, b, rowBytes);
  gemm<T>(rows, H, F, x, F, 1, wx, H, wxp, <usize>F * 32, hs, H, true);
  for (let t = 0; t < S; t++) {
    const ht = at<T>(hs, t * H);
    if (t > 0) gemm<T>(B, H, H, ht - rowBytes, S * H, 1, wh, H, whp, <usize>H * 32, ht, S * H, true);
    else if (h0 != 0) gemm<T>(B, H, H, h0, H, 1, wh, H, whp, <usize>H * 32, ht, S * H, true);
    activate<T>(B, H, ht, S * H, relu);
  }
}

/**
 * hpt [H × B·S] = the states each step started from, transposed: column b·S + t is h_{t−1} of sample b,
 * h0 (or zeros) at t = 0. With it, dwh is one product over all rows, like dwx.
 */
export function previousStatesTransposed<T>(B: i32, S: i32, H: i32, hs: usize, h0: usize, hpt: usize): void {
  const rows = B * S;
  for (let i = 0; i < H; i++) {
    const out = at<T>(hpt, i * rows);
    for (let b = 0; b < B; b++) {
      store<T>(at<T>(out, b * S), h0 != 0 ? load<T>(at<T>(h0, b * H + i)) : <T>0);
      for (let t = 1; t < S; t++) store<T>(at<T>(out, b * S + t), load<T>(at<T>(hs, (b * S + t - 1) * H + i)));
    }
  }
}

/**
 * The gradients of L = Σ dhs ⊙ hs. Per step, backwards: da_t = (dhs_t + g) ⊙ f'(h_t) into `da` [B,S,H],
 * then g = da_t·whᵀ; after step 0, g is dh0. Then, over all rows at once: dwx = xᵀ·da, dwh = h_{t−1}ᵀ·da
 * (h0 at t = 0), db = Σ da, dx = da·wxᵀ. wxt/wxtp and wht/whtp hold wxᵀ and whᵀ, plain and packed (the
 * caller's work, once per call). Scratch: dap (B·S·H numbers) for da packed, and at (B·S·max(F, H)) for
 * xᵀ and then the previous states transposed: the products read their A rows contiguously.
 */
export function backward<T>(
  B: i32, S: i32, F: i32, H: i32, relu: bool,
  x: usize, wxt: usize, wxtp: usize, wht: usize, whtp: usize, h0: usize, hs: usize, dhs: usize,
  da: usize, dap: usize, scratch: usize, g: usize, dx: usize, dwx: usize, dwh: usize, db: usize,
): void {
  const rows = B * S;
  memory.fill(g, 0, <usize>(B * H) << alignof<T>());
  for (let t = S - 1; t >= 0; t--) {
    const o = <usize>(t * H) << alignof<T>();
    activationGradient<T>(B, H, dhs + o, g, hs + o, da + o, S * H, relu);
    gemm<T>(B, H, H, da + o, S * H, 1, wht, H, whtp, <usize>H * 32, g, H, false);
  }
  pack<T>(rows, H, da, H, dap);
  const daPanel = <usize>rows * 32;
  transpose<T>(rows, F, x, scratch);
  gemm<T>(F, H, rows, scratch, rows, 1, da, H, dap, daPanel, dwx, H, false);
  previousStatesTransposed<T>(B, S, H, hs, h0, scratch);
  gemm<T>(H, H, rows, scratch, rows, 1, da, H, dap, daPanel, dwh, H, false);
  sumRows<T>(rows, H, da, H, db, false);
  gemm<T>(rows, F, H, da, H, 1, wxt, F, wxtp, <usize>H * 32, dx, F, false);
}
