// The GRU of the math contract (gate blocks r, z, n; the reset gate after the product, or before it) for
// one chunk of the batch, generic in T, over raw pointers into linear memory: x [B,S,F], wx [F,3H],
// wh [H,3H], b and bh [3H], h0 [B,H] or 0, and the forward pass's gates [B,S,3H] (r, z, n after their
// nonlinearities), hn [B,S,H] (the new gate's recurrent term) and hs [B,S,H]. Row r = b·S + t is sample b
// at step t. x·wx is one product over all rows, h·wh one per step (and (r ⊙ h)·wh_n a second one when the
// reset comes first); the gates are fused SIMD passes per step.
import { gemm, lanes, pack, sumRows, tanhScalar, tanhV, transpose } from './simd';
import { previousStatesTransposed } from './rnn';
import { sigmoidScalar, sigmoidV } from './lstm';

// @ts-ignore: decorator
@inline function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

/**
 * r and z for `rows` rows: the input side's pre-activations at `a` (lda apart) plus the recurrent side's
 * at `hp` (3H apart) become r and z in place at `a`; with the reset first, rh = r ⊙ h_{t−1} (prev rows ldp
 * apart, zeros when prev is 0; rh rows H apart).
 */
function resetUpdate<T>(rows: i32, H: i32, a: usize, lda: i32, hp: usize, prev: usize, ldp: i32, after: bool, rh: usize): void {
  const L = lanes<T>();
  const hb = <usize>H << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const ar = at<T>(a, r * lda), hr = at<T>(hp, r * 3 * H), rr = at<T>(rh, r * H);
    const pr = prev == 0 ? 0 : at<T>(prev, r * ldp);
    let j = 0;
    for (; j + L <= H; j += L) {
      const oj = <usize>j << alignof<T>();
      const rv = sigmoidV<T>(v128.add<T>(v128.load(ar + oj), v128.load(hr + oj)));
      v128.store(ar + oj, rv);
      v128.store(ar + hb + oj, sigmoidV<T>(v128.add<T>(v128.load(ar + hb + oj), v128.load(hr + hb + oj))));
      if (!after) v128.store(rr + oj, pr == 0 ? v128.splat<T>(0) : v128.mul<T>(rv, v128.load(pr + oj)));
    }
    for (; j < H; j++) {
      const oj = <usize>j << alignof<T>();
      const rv = sigmoidScalar<T>(load<T>(ar + oj) + load<T>(hr + oj));
      store<T>(ar + oj, rv);
      store<T>(ar + hb + oj, sigmoidScalar<T>(load<T>(ar + hb + oj) + load<T>(hr + hb + oj)));
      if (!after) store<T>(rr + oj, pr == 0 ? <T>0 : rv * load<T>(pr + oj));
    }
  }
}

/** n = tanh(x_n + r ⊙ hn) (after) or tanh(x_n + hn) (before), and h = (1 − z) ⊙ n + z ⊙ h_{t−1}. */
function newState<T>(rows: i32, H: i32, a: usize, lda: i32, hp: usize, prev: usize, ldp: i32, after: bool, hn: usize, h: usize, ldh: i32): void {
  const L = lanes<T>();
  const hb = <usize>H << alignof<T>();
  const one = v128.splat<T>(1);
  for (let r = 0; r < rows; r++) {
    const ar = at<T>(a, r * lda), hr = at<T>(hp, r * 3 * H) + 2 * hb, nr = at<T>(hn, r * ldh), out = at<T>(h, r * ldh);
    const pr = prev == 0 ? 0 : at<T>(prev, r * ldp);
    let j = 0;
    for (; j + L <= H; j += L) {
      const oj = <usize>j << alignof<T>();
      const rv = v128.load(ar + oj), z = v128.load(ar + hb + oj), hv = v128.load(hr + oj);
      const n = tanhV<T>(v128.add<T>(v128.load(ar + 2 * hb + oj), after ? v128.mul<T>(rv, hv) : hv));
      const p = pr == 0 ? v128.splat<T>(0) : v128.load(pr + oj);
      v128.store(ar + 2 * hb + oj, n);
      v128.store(nr + oj, hv);
      v128.store(out + oj, v128.add<T>(v128.mul<T>(v128.sub<T>(one, z), n), v128.mul<T>(z, p)));
    }
    for (; j < H; j++) {
      const oj = <usize>j << alignof<T>();
      const rv = load<T>(ar + oj), z = load<T>(ar + hb + oj), hv = load<T>(hr + oj);
      const n = tanhScalar<T>(load<T>(ar + 2 * hb + oj) + (after ? rv * hv : hv));
      const p: T = pr == 0 ? <T>0 : load<T>(pr + oj);
      store<T>(ar + 2 * hb + oj, n);
      store<T>(nr + oj, hv);
      store<T>(out + oj, (<T>1 - z) * n + z * p);
    }
  }
}

/**
 * The forward pass: gates, hn and hs of every step. wxp, whp hold wx and wh packed, whnp the n block of
 * wh packed on its own (for the product after the reset). Scratch: hp [B,3H], rh [B,H].
 */
export function gruForward<T>(B: i32, S: i32, F: i32, H: i32, after: bool, x: usize, wx: usize, wxp: usize, wh: usize, whp: usize, whnp: usize, b: usize, bh: usize, h0: usize, gates: usize, hn: usize, hs: usize, hp: usize, rh: usize): void {
  const G = 3 * H;
  const rows = B * S;
  const rowBytes = <usize>G << alignof<T>();
  for (let r = 0; r < rows; r++) memory.copy(gates + <usize>r * rowBytes, b, rowBytes);
  gemm<T>(rows, G, F, x, F, 1, wx, G, wxp, <usize>F * 32, gates, G, true);
  const whn = at<T>(wh, 2 * H);
  for (let t = 0; t < S; t++) {
    const prev = t > 0 ? at<T>(hs, (t - 1) * H) : h0;
    const ldp = t > 0 ? S * H : H;
    for (let r = 0; r < B; r++) memory.copy(hp + <usize>r * rowBytes, bh, rowBytes);
    // The reset after: all three blocks from h_{t−1}; before: r and z only (n needs r first).
    if (prev != 0) gemm<T>(B, after ? G : 2 * H, H, prev, ldp, 1, wh, G, whp, <usize>H * 32, hp, G, true);
    const gt = at<T>(gates, t * G);
    resetUpdate<T>(B, H, gt, S * G, hp, prev, ldp, after, rh);
    if (!after) gemm<T>(B, H, H, rh, H, 1, whn, G, whnp, <usize>H * 32, at<T>(hp, 2 * H), G, true);
    newState<T>(B, H, gt, S * G, hp, prev, ldp, after, at<T>(hn, t * H), at<T>(hs, t * H), S * H);
  }
}

/**
 * One step backwards, for `rows` rows: from the gates, hn and h_{t−1}, and dh = dhs_t + g, the input
 * side's deltas dX (r, z, n) and the recurrent side's dHp (r, z, hn), lda apart; g becomes the direct
 * path z ⊙ dh. With the reset first, r's deltas wait for d(r ⊙ h) (resetBack).
 */
function stepBack<T>(rows: i32, H: i32, gates: usize, lda: i32, hn: usize, prev: usize, ldp: i32, dhs: usize, ldh: i32, after: bool, g: usize, dX: usize, dHp: usize): void {
  const L = lanes<T>();
  const hb = <usize>H << alignof<T>();
  const one = v128.splat<T>(1);
  for (let r = 0; r < rows; r++) {
    const gr = at<T>(gates, r * lda), xr = at<T>(dX, r * lda), pr2 = at<T>(dHp, r * lda);
    const nr = at<T>(hn, r * ldh), dr = at<T>(dhs, r * ldh), gg = at<T>(g, r * H);
    const pr = prev == 0 ? 0 : at<T>(prev, r * ldp);
    let j = 0;
    for (; j + L <= H; j += L) {
      const oj = <usize>j << alignof<T>();
      const rv = v128.load(gr + oj), z = v128.load(gr + hb + oj), n = v128.load(gr + 2 * hb + oj);
      const p = pr == 0 ? v128.splat<T>(0) : v128.load(pr + oj);
      const dh = v128.add<T>(v128.load(dr + oj), v128.load(gg + oj));
      const dan = v128.mul<T>(v128.mul<T>(dh, v128.sub<T>(one, z)), v128.sub<T>(one, v128.mul<T>(n, n)));
      const daz = v128.mul<T>(v128.mul<T>(dh, v128.sub<T>(p, n)), v128.mul<T>(z, v128.sub<T>(one, z)));
      v128.store(xr + hb + oj, daz);
      v128.store(pr2 + hb + oj, daz);
      v128.store(xr + 2 * hb + oj, dan);
      v128.store(pr2 + 2 * hb + oj, after ? v128.mul<T>(dan, rv) : dan);
      if (after) {
        const dar = v128.mul<T>(v128.mul<T>(dan, v128.load(nr + oj)), v128.mul<T>(rv, v128.sub<T>(one, rv)));
        v128.store(xr + oj, dar);
        v128.store(pr2 + oj, dar);
      }
      v128.store(gg + oj, v128.mul<T>(dh, z));
    }
    for (; j < H; j++) {
      const oj = <usize>j << alignof<T>();
      const rv = load<T>(gr + oj), z = load<T>(gr + hb + oj), n = load<T>(gr + 2 * hb + oj);
      const p: T = pr == 0 ? <T>0 : load<T>(pr + oj);
      const dh: T = load<T>(dr + oj) + load<T>(gg + oj);
      const dan: T = dh * (<T>1 - z) * (<T>1 - n * n);
      const daz: T = dh * (p - n) * z * (<T>1 - z);
      store<T>(xr + hb + oj, daz);
      store<T>(pr2 + hb + oj, daz);
      store<T>(xr + 2 * hb + oj, dan);
      store<T>(pr2 + 2 * hb + oj, after ? dan * rv : dan);
      if (after) {
        const dar: T = dan * load<T>(nr + oj) * rv * (<T>1 - rv);
        store<T>(xr + oj, dar);
        store<T>(pr2 + oj, dar);
      }
      store<T>(gg + oj, dh * z);
    }
  }
}

/** With the reset first: from drh = d(r ⊙ h_{t−1}), r's deltas, and r ⊙ drh added to g. */
function resetBack<T>(rows: i32, H: i32, gates: usize, lda: i32, prev: usize, ldp: i32, drh: usize, g: usize, dX: usize, dHp: usize): void {
  for (let r = 0; r < rows; r++) {
    const gr = at<T>(gates, r * lda), xr = at<T>(dX, r * lda), pr2 = at<T>(dHp, r * lda);
    const dr = at<T>(drh, r * H), gg = at<T>(g, r * H);
    const pr = prev == 0 ? 0 : at<T>(prev, r * ldp);
    for (let j = 0; j < H; j++) {
      const rv = load<T>(at<T>(gr, j));
      const d = load<T>(at<T>(dr, j));
      const p: T = pr == 0 ? <T>0 : load<T>(at<T>(pr, j));
      const dar: T = d * p * rv * (<T>1 - rv);
      store<T>(at<T>(xr, j), dar);
      store<T>(at<T>(pr2, j), dar);
      store<T>(at<T>(gg, j), load<T>(at<T>(gg, j)) + d * rv);
    }
  }
}

/**
 * The gradients of L = Σ dhs ⊙ hs, from the forward pass's gates, hn and hs (this chunk's). Per step,
 * backwards: dX and dHp, then g = the direct path + dHp·whᵀ over the blocks that multiply h_{t−1} itself
 * (and r ⊙ d(r ⊙ h) with the reset first); g ends as dh0. Then over all rows: db = Σ dX, dbh = Σ dHp,
 * dx = dX·wxᵀ, dwx = xᵀ·dX, dwh = h_{t−1}ᵀ·dHp (the n block (r ⊙ h_{t−1})ᵀ·dHp_n with the reset first).
 * wxt/wxtp and wht/whtp hold wxᵀ [3H,F] and whᵀ [3H,H], plain and packed; whnt/whntp wh_nᵀ [H,H].
 * Scratch: dXp, dHpp (B·S·3H each), dHnp (B·S·H), scratch (B·S·max(F, H)), drh [B,H].
 */
export function gruBackward<T>(
  B: i32, S: i32, F: i32, H: i32, after: bool,
  x: usize, wxt: usize, wxtp: usize, wht: usize, whtp: usize, whnt: usize, whntp: usize, h0: usize,
  gates: usize, hn: usize, hs: usize, dhs: usize,
  dX: usize, dHp: usize, dXp: usize, dHpp: usize, dHnp: usize, scratch: usize, drh: usize, g: usize,
  dx: usize, dwx: usize, dwh: usize, db: usize, dbh: usize,
): void {
  const G = 3 * H;
  const rows = B * S;
  memory.fill(g, 0, <usize>(B * H) << alignof<T>());
  for (let t = S - 1; t >= 0; t--) {
    const prev = t > 0 ? at<T>(hs, (t - 1) * H) : h0;
    const ldp = t > 0 ? S * H : H;
    const gt = at<T>(gates, t * G), xt = at<T>(dX, t * G), ht = at<T>(dHp, t * G);
    stepBack<T>(B, H, gt, S * G, at<T>(hn, t * H), prev, ldp, at<T>(dhs, t * H), S * H, after, g, xt, ht);
    if (!after) {
      gemm<T>(B, H, H, at<T>(ht, 2 * H), S * G, 1, whnt, H, whntp, <usize>H * 32, drh, H, false);
      resetBack<T>(B, H, gt, S * G, prev, ldp, drh, g, xt, ht);
    }
    gemm<T>(B, H, after ? G : 2 * H, ht, S * G, 1, wht, H, whtp, <usize>G * 32, g, H, true);
  }
  sumRows<T>(rows, G, dX, G, db, false);
  sumRows<T>(rows, G, dHp, G, dbh, false);
  gemm<T>(rows, F, G, dX, G, 1, wxt, F, wxtp, <usize>G * 32, dx, F, false);
  pack<T>(rows, G, dX, G, dXp);
  transpose<T>(rows, F, x, scratch);
  gemm<T>(F, G, rows, scratch, rows, 1, dX, G, dXp, <usize>rows * 32, dwx, G, false);
  pack<T>(rows, G, dHp, G, dHpp);
  previousStatesTransposed<T>(B, S, H, hs, h0, scratch);
  gemm<T>(H, after ? G : 2 * H, rows, scratch, rows, 1, dHp, G, dHpp, <usize>rows * 32, dwh, G, false);
  if (!after) {
    // (r ⊙ h_{t−1})ᵀ: each previous state scaled by the reset gate of the row it fed.
    for (let k = 0; k < H; k++) {
      for (let r = 0; r < rows; r++) {
        const q = at<T>(scratch, k * rows + r);
        store<T>(q, load<T>(q) * load<T>(at<T>(gates, r * G + k)));
      }
    }
    const dHn = at<T>(dHp, 2 * H);
    pack<T>(rows, H, dHn, G, dHnp);
    gemm<T>(H, H, rows, scratch, rows, 1, dHn, G, dHnp, <usize>rows * 32, at<T>(dwh, 2 * H), G, false);
  }
}
