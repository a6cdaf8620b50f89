// The SIMD building blocks of the wasm kernels, generic in the element type T (f64 with f64x2 lanes, f32
// with f32x4): a register-blocked matrix product, tanh and its derivative, over raw pointers into linear
// memory. Nothing here allocates.

/** Elements per 128-bit vector: 2 for f64, 4 for f32. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

// @ts-ignore: decorator
@inline function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

/** Columns in a panel of packed B: two vectors. */
// @ts-ignore: decorator
@inline export function panel<T>(): i32 {
  return 2 * lanes<T>();
}

/**
 * Packs the full panels of B[K×N] (row stride ldb): panel p, columns p·2L … p·2L+2L−1, becomes K rows of 2L
 * contiguous numbers at bp + p·K·32 bytes, so the product streams it from one place. The last N mod 2L
 * columns are not packed (gemm reads them from B).
 */
export function pack<T>(K: i32, N: i32, b: usize, ldb: i32, bp: usize): void {
  const P = panel<T>();
  let dst = bp;
  for (let j = 0; j + P <= N; j += P) {
    for (let k = 0; k < K; k++) {
      const src = at<T>(b, k * ldb + j);
      v128.store(dst, v128.load(src));
      v128.store(dst + 16, v128.load(src + 16));
      dst += 32;
    }
  }
}

/** Rows of A per block in gemm: 64 rows of K = 128 float64 numbers are 64 KB, within L2. */
const GEMM_ROWS = 64;

/**
 * C[M×N] (+)= A·B, with A's element (i, k) at a + (i·sa + k·sk) (in elements: sa = lda, sk = 1 is A·B;
 * sa = 1, sk = lda is Aᵀ·B), B [K×N] at b with row stride ldb, C row-major with row stride ldc. The full
 * panels of B come packed (see pack) from bp, whose panels are panelBytes apart (32·rows of the packing):
 * an offset into bp starts at a later row. Blocked 4 rows × 2 vectors: 8 accumulators, 2 vectors of B and
 * one of A live, within V8's 16 vector registers (more than about 12 live values halves the speed).
 */
export function gemm<T>(M: i32, N: i32, K: i32, a: usize, sa: i32, sk: i32, b: usize, ldb: i32, bp: usize, panelBytes: usize, c: usize, ldc: i32, accumulate: bool): void {
  const P = panel<T>();
  const full = N - N % P;
  const zero = v128.splat<T>(0);
  const skb = <usize>sk << alignof<T>();
  const M4 = M - M % 4;
  // Rows in blocks of GEMM_ROWS, each panel of B used by every row of the block before the next panel: a
  // panel (K·P numbers) then stays in L1 across the block. Row by row instead, a step's h·wh (16 rows, wh
  // 512 KB in float64) read the whole of wh from beyond L2 four times.
  for (let i0 = 0; i0 < M4; i0 += GEMM_ROWS) {
    const i1 = min(i0 + GEMM_ROWS, M4);
    for (let j = 0; j < full; j += P) {
      const o0 = <usize>j << alignof<T>(), o1 = o0 + 16;
      for (let i = i0; i < i1; i += 4) {
        const a0 = at<T>(a, i * sa), a1 = at<T>(a, (i + 1) * sa), a2 = at<T>(a, (i + 2) * sa), a3 = at<T>(a, (i + 3) * sa);
        const c0 = at<T>(c, i * ldc), c1 = at<T>(c, (i + 1) * ldc), c2 = at<T>(c, (i + 2) * ldc), c3 = at<T>(c, (i + 3) * ldc);
        let x00 = zero, x01 = zero, x10 = zero, x11 = zero, x20 = zero, x21 = zero, x30 = zero, x31 = zero;
        if (accumulate) {
          x00 = v128.load(c0 + o0); x01 = v128.load(c0 + o1);
          x10 = v128.load(c1 + o0); x11 = v128.load(c1 + o1);
          x20 = v128.load(c2 + o0); x21 = v128.load(c2 + o1);
          x30 = v128.load(c3 + o0); x31 = v128.load(c3 + o1);
        }
        let pb = bp + <usize>(j / P) * panelBytes;
        let p0 = a0, p1 = a1, p2 = a2, p3 = a3;
        for (let k = 0; k < K; k++) {
          const b0 = v128.load(pb), b1 = v128.load(pb + 16);
          pb += 32;
          let s = v128.load_splat<T>(p0);
          x00 = v128.add<T>(x00, v128.mul<T>(s, b0)); x01 = v128.add<T>(x01, v128.mul<T>(s, b1));
          s = v128.load_splat<T>(p1);
          x10 = v128.add<T>(x10, v128.mul<T>(s, b0)); x11 = v128.add<T>(x11, v128.mul<T>(s, b1));
          s = v128.load_splat<T>(p2);
          x20 = v128.add<T>(x20, v128.mul<T>(s, b0)); x21 = v128.add<T>(x21, v128.mul<T>(s, b1));
          s = v128.load_splat<T>(p3);
          x30 = v128.add<T>(x30, v128.mul<T>(s, b0)); x31 = v128.add<T>(x31, v128.mul<T>(s, b1));
          p0 += skb; p1 += skb; p2 += skb; p3 += skb;
        }
        v128.store(c0 + o0, x00); v128.store(c0 + o1, x01);
        v128.store(c1 + o0, x10); v128.store(c1 + o1, x11);
        v128.store(c2 + o0, x20); v128.store(c2 + o1, x21);
        v128.store(c3 + o0, x30); v128.store(c3 + o1, x31);
      }
    }
  }
  for (let i = M4; i < M; i++) {
    const ci = at<T>(c, i * ldc);
    for (let j = 0; j < full; j += P) {
      const o0 = <usize>j << alignof<T>(), o1 = o0 + 16;
      let x0 = accumulate ? v128.load(ci + o0) : zero, x1 = accumulate ? v128.load(ci + o1) : zero;
      let pb = bp + <usize>(j / P) * panelBytes;
      let p0 = at<T>(a, i * sa);
      for (let k = 0; k < K; k++) {
        const s = v128.load_splat<T>(p0);
        x0 = v128.add<T>(x0, v128.mul<T>(s, v128.load(pb)));
        x1 = v128.add<T>(x1, v128.mul<T>(s, v128.load(pb + 16)));
        pb += 32;
        p0 += skb;
      }
      v128.store(ci + o0, x0);
      v128.store(ci + o1, x1);
    }
  }
  if (full < N) gemmColumns<T>(M, full, N, K, a, sa, sk, b, ldb, c, ldc, accumulate);
}

/** Columns [j0, N) of C (+)= A·B, read from B unpacked: the last columns that make no full panel. */
export function gemmColumns<T>(M: i32, j0: i32, N: i32, K: i32, a: usize, sa: i32, sk: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  const L = lanes<T>();
  const skb = <usize>sk << alignof<T>();
  for (let i = 0; i < M; i++) {
    const ci = at<T>(c, i * ldc);
    let j = j0;
    for (; j + L <= N; j += L) {
      const o = <usize>j << alignof<T>();
      let x = accumulate ? v128.load(ci + o) : v128.splat<T>(0);
      let p = at<T>(a, i * sa);
      for (let k = 0; k < K; k++) {
        x = v128.add<T>(x, v128.mul<T>(v128.load_splat<T>(p), v128.load(at<T>(b, k * ldb) + o)));
        p += skb;
      }
      v128.store(ci + o, x);
    }
    for (; j < N; j++) {
      let s: T = accumulate ? load<T>(at<T>(ci, j)) : <T>0;
      let p = at<T>(a, i * sa);
      for (let k = 0; k < K; k++) {
        s += load<T>(p) * load<T>(at<T>(b, k * ldb + j));
        p += skb;
      }
      store<T>(at<T>(ci, j), s);
    }
  }
}

/** dst[cols×rows] = srcᵀ, for src [rows×cols], in 16×16 tiles so that reads and writes both stay in cache. */
export function transpose<T>(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let r0 = 0; r0 < rows; r0 += 16) {
    const r1 = min(r0 + 16, rows);
    for (let c0 = 0; c0 < cols; c0 += 16) {
      const c1 = min(c0 + 16, cols);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) store<T>(at<T>(dst, c * rows + r), load<T>(at<T>(src, r * cols + c)));
      }
    }
  }
}

/**
 * e^x for x <= 0, lane-wise, to about an ulp: x = n·ln2 + r with |r| <= ln2/2, e^r by its Taylor series
 * (degree 13 in f64, 7 in f32: the first term left out is below half an ulp), evaluated by Estrin's scheme
 * (pairs, then pairs of pairs: a chain of 8 dependent operations instead of Horner's 26), and 2^n made in
 * the exponent bits. Below -708 (f64) or -87 (f32) the result is a tiny normal number, which tanh cannot show.
 */
// @ts-ignore: decorator
@inline export function expNonPositive<T>(x: v128): v128 {
  if (sizeof<T>() == 8) {
    x = f64x2.max(x, f64x2.splat(-708));
    const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
    const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, f64x2.splat(6.93147180369123816490e-01))), f64x2.mul(n, f64x2.splat(1.90821492927058770002e-10)));
    const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2), r8 = f64x2.mul(r4, r4);
    const p01 = f64x2.add(f64x2.splat(1.0), r);
    const p23 = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, f64x2.splat(1.0 / 6.0)));
    const p45 = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(r, f64x2.splat(1.0 / 120.0)));
    const p67 = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(r, f64x2.splat(1.0 / 5040.0)));
    const p89 = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(r, f64x2.splat(1.0 / 362880.0)));
    const p1011 = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(r, f64x2.splat(1.0 / 39916800.0)));
    const p1213 = f64x2.add(f64x2.splat(1.0 / 479001600.0), f64x2.mul(r, f64x2.splat(1.0 / 6227020800.0)));
    const q0 = f64x2.add(p01, f64x2.mul(p23, r2)), q1 = f64x2.add(p45, f64x2.mul(p67, r2)), q2 = f64x2.add(p89, f64x2.mul(p1011, r2));
    const s0 = f64x2.add(q0, f64x2.mul(q1, r4)), s1 = f64x2.add(q2, f64x2.mul(p1213, r4));
    const p = f64x2.add(s0, f64x2.mul(s1, r8));
    // n + 1.5·2^52 holds n in its low bits; shifted into the exponent field it is 2^n.
    const magic = f64x2.splat(6755399441055744.0);
    const bits = i64x2.sub(f64x2.add(n, magic), magic);
    return f64x2.mul(p, i64x2.shl(i64x2.add(bits, i64x2.splat(1023)), 52));
  } else {
    x = f32x4.max(x, f32x4.splat(-87));
    const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
    const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
    const r2 = f32x4.mul(r, r), r4 = f32x4.mul(r2, r2);
    const p01 = f32x4.add(f32x4.splat(1.0), r);
    const p23 = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, f32x4.splat(1.0 / 6.0)));
    const p45 = f32x4.add(f32x4.splat(1.0 / 24.0), f32x4.mul(r, f32x4.splat(1.0 / 120.0)));
    const p67 = f32x4.add(f32x4.splat(1.0 / 720.0), f32x4.mul(r, f32x4.splat(1.0 / 5040.0)));
    const p = f32x4.add(f32x4.add(p01, f32x4.mul(p23, r2)), f32x4.mul(f32x4.add(p45, f32x4.mul(p67, r2)), r4));
    const magic = f32x4.splat(12582912.0);
    const bits = i32x4.sub(f32x4.add(n, magic), magic);
    return f32x4.mul(p, i32x4.shl(i32x4.add(bits, i32x4.splat(127)), 23));
  }
}

/** tanh, lane-wise, that cannot overflow: sign(a)·(1 − e^{−2|a|})/(1 + e^{−2|a|}). */
// @ts-ignore: decorator
@inline export function tanhV<T>(a: v128): v128 {
  const sign = v128.and(a, v128.splat<T>(-0.0));
  const abs = v128.xor(a, sign);
  const e = expNonPositive<T>(v128.mul<T>(abs, v128.splat<T>(-2)));
  const one = v128.splat<T>(1);
  return v128.or(v128.div<T>(v128.sub<T>(one, e), v128.add<T>(one, e)), sign);
}

/** The same tanh for one number (the columns past the last whole vector). */
// @ts-ignore: decorator
@inline export function tanhScalar<T>(a: T): T {
  const e: T = sizeof<T>() == 8 ? <T>Math.exp(-2 * Math.abs(<f64>a)) : <T>Mathf.exp(-2 * Mathf.abs(<f32>a));
  const m: T = (<T>1 - e) / (<T>1 + e);
  return a < <T>0 ? -m : m;
}

/** f (tanh, or relu when `relu`) in place on `rows` rows of `cols` elements, row stride `ld`. */
export function activate<T>(rows: i32, cols: i32, p: usize, ld: i32, relu: bool): void {
  const L = lanes<T>();
  const zero = v128.splat<T>(0);
  for (let r = 0; r < rows; r++) {
    const row = at<T>(p, r * ld);
    let j = 0;
    for (; j + L <= cols; j += L) {
      const q = row + (<usize>j << alignof<T>());
      const v = v128.load(q);
      v128.store(q, relu ? v128.max<T>(v, zero) : tanhV<T>(v));
    }
    for (; j < cols; j++) {
      const q = at<T>(row, j);
      const v = load<T>(q);
      store<T>(q, relu ? (v > <T>0 ? v : <T>0) : tanhScalar<T>(v));
    }
  }
}

/**
 * da = (dh + g) ⊙ f'(h) for `rows` rows of `cols`: f' is 1 − h² for tanh, [h > 0] for relu. dh, h and da
 * rows are `ld` apart; g rows are `cols` apart.
 */
export function activationGradient<T>(rows: i32, cols: i32, dh: usize, g: usize, h: usize, da: usize, ld: i32, relu: bool): void {
  const L = lanes<T>();
  const zero = v128.splat<T>(0), one = v128.splat<T>(1);
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * ld) << alignof<T>(), og = <usize>(r * cols) << alignof<T>();
    let j = 0;
    for (; j + L <= cols; j += L) {
      const oj = <usize>j << alignof<T>();
      const hv = v128.load(h + o + oj);
      const up = v128.add<T>(v128.load(dh + o + oj), v128.load(g + og + oj));
      const slope = relu ? v128.and(one, v128.gt<T>(hv, zero)) : v128.sub<T>(one, v128.mul<T>(hv, hv));
      v128.store(da + o + oj, v128.mul<T>(up, slope));
    }
    for (; j < cols; j++) {
      const oj = <usize>j << alignof<T>();
      const hv = load<T>(h + o + oj);
      const slope: T = relu ? (hv > <T>0 ? <T>1 : <T>0) : <T>1 - hv * hv;
      store<T>(da + o + oj, (load<T>(dh + o + oj) + load<T>(g + og + oj)) * slope);
    }
  }
}

/** out[cols] (+)= Σ over `rows` rows of p (row stride ld). */
export function sumRows<T>(rows: i32, cols: i32, p: usize, ld: i32, out: usize, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << alignof<T>());
  const L = lanes<T>();
  for (let r = 0; r < rows; r++) {
    const row = at<T>(p, r * ld);
    let j = 0;
    for (; j + L <= cols; j += L) {
      const oj = <usize>j << alignof<T>();
      v128.store(out + oj, v128.add<T>(v128.load(out + oj), v128.load(row + oj)));
    }
    for (; j < cols; j++) store<T>(at<T>(out, j), load<T>(at<T>(out, j)) + load<T>(at<T>(row, j)));
  }
}
