// The LSTM of the math contract (gate blocks i, f, g, o) for one chunk of the batch, generic in T, over raw
// pointers into linear memory: x [B,S,F], wx [F,4H], wh [H,4H], b [4H], h0 and c0 [B,H] or 0, and the
// forward pass's gates [B,S,4H] (after their nonlinearities), cell states cs and hidden states hs [B,S,H].
// Row r = b·S + t is sample b at step t. x·wx is one product over all B·S rows, h·wh one per step; the
// gates' nonlinearities and the cell update are one fused SIMD pass per step.
import { expNonPositive, gemm, lanes, pack, sumRows, tanhScalar, tanhV, transpose } from './simd';
import { previousStatesTransposed } from './rnn';

// @ts-ignore: decorator
@inline function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

/** σ(a), lane-wise, that cannot overflow: with e = e^{−|a|}, 1/(1 + e) for a >= 0 and e/(1 + e) below. */
// @ts-ignore: decorator
@inline export function sigmoidV<T>(a: v128): v128 {
  const zero = v128.splat<T>(0), one = v128.splat<T>(1);
  const abs = v128.abs<T>(a);
  const e = expNonPositive<T>(v128.neg<T>(abs));
  const inv = v128.div<T>(one, v128.add<T>(one, e));
  return v128.bitselect(v128.mul<T>(e, inv), inv, v128.lt<T>(a, zero));
}

// @ts-ignore: decorator
@inline export function sigmoidScalar<T>(a: T): T {
  const e: T = sizeof<T>() == 8 ? <T>Math.exp(-Math.abs(<f64>a)) : <T>Mathf.exp(-Mathf.abs(<f32>a));
  const inv: T = <T>1 / (<T>1 + e);
  return a < <T>0 ? e * inv : inv;
}

/**
 * One step for `rows` rows: the pre-activations at `a` (row stride lda, blocks i, f, g, o of H) become
 * the gates, c = f ⊙ c_prev + i ⊙ g (c_prev at cp, row stride ldc; zeros when cp is 0) and h = o ⊙ tanh(c)
 * (rows ldh apart, as c's).
 */
function cellStep<T>(rows: i32, H: i32, a: usize, lda: i32, cp: usize, ldcp: i32, c: usize, h: usize, ldh: i32): void {
  const L = lanes<T>();
  const hb = <usize>H << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const ai = at<T>(a, r * lda), cr = at<T>(c, r * ldh), hr = at<T>(h, r * ldh);
    const cpr = cp == 0 ? 0 : at<T>(cp, r * ldcp);
    let j = 0;
    for (; j + L <= H; j += L) {
      const oj = <usize>j << alignof<T>();
      const i = sigmoidV<T>(v128.load(ai + oj));
      const f = sigmoidV<T>(v128.load(ai + hb + oj));
      const g = tanhV<T>(v128.load(ai + 2 * hb + oj));
      const o = sigmoidV<T>(v128.load(ai + 3 * hb + oj));
      const prev = cpr == 0 ? v128.splat<T>(0) : v128.load(cpr + oj);
      const cv = v128.add<T>(v128.mul<T>(f, prev), v128.mul<T>(i, g));
      v128.store(ai + oj, i);
      v128.store(ai + hb + oj, f);
      v128.store(ai + 2 * hb + oj, g);
      v128.store(ai + 3 * hb + oj, o);
      v128.store(cr + oj, cv);
      v128.store(hr + oj, v128.mul<T>(o, tanhV<T>(cv)));
    }
    for (; j < H; j++) {
      const oj = <usize>j << alignof<T>();
      const i = sigmoidScalar<T>(load<T>(ai + oj));
      const f = sigmoidScalar<T>(load<T>(ai + hb + oj));
      const g = tanhScalar<T>(load<T>(ai + 2 * hb + oj));
      const o = sigmoidScalar<T>(load<T>(ai + 3 * hb + oj));
      const prev: T = cpr == 0 ? <T>0 : load<T>(cpr + oj);
      const cv: T = f * prev + i * g;
      store<T>(ai + oj, i);
      store<T>(ai + hb + oj, f);
      store<T>(ai + 2 * hb + oj, g);
      store<T>(ai + 3 * hb + oj, o);
      store<T>(cr + oj, cv);
      store<T>(hr + oj, o * tanhScalar<T>(cv));
    }
  }
}

/** The forward pass: gates, cs and hs of every step. wxp and whp hold wx and wh packed (see pack). */
export function lstmForward<T>(B: i32, S: i32, F: i32, H: i32, x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, b: usize, h0: usize, c0: usize, gates: usize, cs: usize, hs: usize): void {
  const G = 4 * H;
  const rows = B * S;
  const rowBytes = <usize>G << alignof<T>();
  for (let r = 0; r < rows; r++) memory.copy(gates + <usize>r * rowBytes, b, rowBytes);
  gemm<T>(rows, G, F, x, F, 1, wx, G, wxp, <usize>F * 32, gates, G, true);
  for (let t = 0; t < S; t++) {
    const gt = at<T>(gates, t * G);
    if (t > 0) gemm<T>(B, G, H, at<T>(hs, (t - 1) * H), S * H, 1, wh, G, whp, <usize>H * 32, gt, S * G, true);
    else if (h0 != 0) gemm<T>(B, G, H, h0, H, 1, wh, G, whp, <usize>H * 32, gt, S * G, true);
    const cp = t > 0 ? at<T>(cs, (t - 1) * H) : c0;
    cellStep<T>(B, H, gt, S * G, cp, t > 0 ? S * H : H, at<T>(cs, t * H), at<T>(hs, t * H), S * H);
  }
}

/**
 * One step backwards for `rows` rows: from the gates (lda apart), c_t and c_{t−1} (cp; zeros when 0), the
 * upstream dh = dhs_t + g and the carried dc, the pre-activations' gradient da (lda apart); dc becomes
 * dc_{t−1} = dc_t ⊙ f. g and dc rows are H apart; c, cp and dhs rows ldh apart (cp ldcp).
 */
function cellStepBack<T>(rows: i32, H: i32, gates: usize, lda: i32, c: usize, cp: usize, ldcp: i32, dhs: usize, ldh: i32, g: usize, dc: usize, da: usize): void {
  const L = lanes<T>();
  const hb = <usize>H << alignof<T>();
  const one = v128.splat<T>(1);
  for (let r = 0; r < rows; r++) {
    const gr = at<T>(gates, r * lda), dar = at<T>(da, r * lda);
    const cr = at<T>(c, r * ldh), dhr = at<T>(dhs, r * ldh), gg = at<T>(g, r * H), dcr = at<T>(dc, r * H);
    const cpr = cp == 0 ? 0 : at<T>(cp, r * ldcp);
    let j = 0;
    for (; j + L <= H; j += L) {
      const oj = <usize>j << alignof<T>();
      const i = v128.load(gr + oj), f = v128.load(gr + hb + oj), gv = v128.load(gr + 2 * hb + oj), o = v128.load(gr + 3 * hb + oj);
      const tc = tanhV<T>(v128.load(cr + oj));
      const dh = v128.add<T>(v128.load(dhr + oj), v128.load(gg + oj));
      const dct = v128.add<T>(v128.mul<T>(v128.mul<T>(dh, o), v128.sub<T>(one, v128.mul<T>(tc, tc))), v128.load(dcr + oj));
      const prev = cpr == 0 ? v128.splat<T>(0) : v128.load(cpr + oj);
      v128.store(dar + oj, v128.mul<T>(v128.mul<T>(dct, gv), v128.mul<T>(i, v128.sub<T>(one, i))));
      v128.store(dar + hb + oj, v128.mul<T>(v128.mul<T>(dct, prev), v128.mul<T>(f, v128.sub<T>(one, f))));
      v128.store(dar + 2 * hb + oj, v128.mul<T>(v128.mul<T>(dct, i), v128.sub<T>(one, v128.mul<T>(gv, gv))));
      v128.store(dar + 3 * hb + oj, v128.mul<T>(v128.mul<T>(dh, tc), v128.mul<T>(o, v128.sub<T>(one, o))));
      v128.store(dcr + oj, v128.mul<T>(dct, f));
    }
    for (; j < H; j++) {
      const oj = <usize>j << alignof<T>();
      const i = load<T>(gr + oj), f = load<T>(gr + hb + oj), gv = load<T>(gr + 2 * hb + oj), o = load<T>(gr + 3 * hb + oj);
      const tc = tanhScalar<T>(load<T>(cr + oj));
      const dh: T = load<T>(dhr + oj) + load<T>(gg + oj);
      const dct: T = dh * o * (<T>1 - tc * tc) + load<T>(dcr + oj);
      const prev: T = cpr == 0 ? <T>0 : load<T>(cpr + oj);
      store<T>(dar + oj, dct * gv * i * (<T>1 - i));
      store<T>(dar + hb + oj, dct * prev * f * (<T>1 - f));
      store<T>(dar + 2 * hb + oj, dct * i * (<T>1 - gv * gv));
      store<T>(dar + 3 * hb + oj, dh * tc * o * (<T>1 - o));
      store<T>(dcr + oj, dct * f);
    }
  }
}

/**
 * The gradients of L = Σ dhs ⊙ hs, from the forward pass's gates, cs and hs (this chunk's). Per step,
 * backwards: da_t, then g = da_t·whᵀ (dh carried to step t − 1; dh0 after step 0) and dc (dc0 at the end).
 * Then over all rows at once: dwx = xᵀ·da, dwh = h_{t−1}ᵀ·da, db = Σ da, dx = da·wxᵀ. wxt/wxtp and
 * wht/whtp hold wxᵀ [4H,F] and whᵀ [4H,H], plain and packed. Scratch: dap (B·S·4H numbers) for da packed,
 * and scratch (B·S·max(F, H)) for xᵀ and the previous states transposed.
 */
export function lstmBackward<T>(
  B: i32, S: i32, F: i32, H: i32,
  x: usize, wxt: usize, wxtp: usize, wht: usize, whtp: usize, h0: usize, c0: usize,
  gates: usize, cs: usize, hs: usize, dhs: usize,
  da: usize, dap: usize, scratch: usize, g: usize, dc: usize, dx: usize, dwx: usize, dwh: usize, db: usize,
): void {
  const G = 4 * H;
  const rows = B * S;
  memory.fill(g, 0, <usize>(B * H) << alignof<T>());
  memory.fill(dc, 0, <usize>(B * H) << alignof<T>());
  for (let t = S - 1; t >= 0; t--) {
    const cp = t > 0 ? at<T>(cs, (t - 1) * H) : c0;
    cellStepBack<T>(B, H, at<T>(gates, t * G), S * G, at<T>(cs, t * H), cp, t > 0 ? S * H : H, at<T>(dhs, t * H), S * H, g, dc, at<T>(da, t * G));
    gemm<T>(B, H, G, at<T>(da, t * G), S * G, 1, wht, H, whtp, <usize>G * 32, g, H, false);
  }
  pack<T>(rows, G, da, G, dap);
  const daPanel = <usize>rows * 32;
  transpose<T>(rows, F, x, scratch);
  gemm<T>(F, G, rows, scratch, rows, 1, da, G, dap, daPanel, dwx, G, false);
  previousStatesTransposed<T>(B, S, H, hs, h0, scratch);
  gemm<T>(H, G, rows, scratch, rows, 1, da, G, dap, daPanel, dwh, G, false);
  sumRows<T>(rows, G, da, G, db, false);
  gemm<T>(rows, F, G, da, G, 1, wxt, F, wxtp, <usize>G * 32, dx, F, false);
}
