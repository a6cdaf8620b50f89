/**
 * The one matrix product the kernels need, over flat row-major Float64Arrays with offsets and row
 * strides (so a time step's rows of a [B,T,H] array can be used in place):
 *
 *     C[i, j] (+)= Σ_p A[i, p] · Bt[j, p]        i < m, j < n, p < k
 *
 * Both operands are read along p, contiguously. A 4×2 block of C is summed in registers: each step of p
 * loads 6 numbers for 8 multiply-adds, where a plain i-k-j loop loads and stores C for every one.
 */
export function gemmABt(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  Bt: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  // Sizes and offsets as int32 from here on. Without this, one call with an integer that V8 holds as a
  // heap number (fuzzing makes some) deoptimized this function into float index arithmetic for the rest
  // of the process: 5.6 → 3.3 GFLOP/s, which made `report`'s bench, run after fuzz, slow loops by 40 %.
  m |= 0;
  n |= 0;
  k |= 0;
  aOff |= 0;
  lda |= 0;
  bOff |= 0;
  ldb |= 0;
  cOff |= 0;
  ldc |= 0;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = aOff + i * lda,
      a1 = a0 + lda,
      a2 = a1 + lda,
      a3 = a2 + lda;
    const c0 = cOff + i * ldc,
      c1 = c0 + ldc,
      c2 = c1 + ldc,
      c3 = c2 + ldc;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = bOff + j * ldb,
        b1 = b0 + ldb;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = Bt[b0 + p]!,
          x1 = Bt[b1 + p]!;
        const y0 = A[a0 + p]!,
          y1 = A[a1 + p]!,
          y2 = A[a2 + p]!,
          y3 = A[a3 + p]!;
        s00 += y0 * x0;
        s01 += y0 * x1;
        s10 += y1 * x0;
        s11 += y1 * x1;
        s20 += y2 * x0;
        s21 += y2 * x1;
        s30 += y3 * x0;
        s31 += y3 * x1;
      }
      if (accumulate) {
        C[c0 + j] = C[c0 + j]! + s00;
        C[c0 + j + 1] = C[c0 + j + 1]! + s01;
        C[c1 + j] = C[c1 + j]! + s10;
        C[c1 + j + 1] = C[c1 + j + 1]! + s11;
        C[c2 + j] = C[c2 + j]! + s20;
        C[c2 + j + 1] = C[c2 + j + 1]! + s21;
        C[c3 + j] = C[c3 + j]! + s30;
        C[c3 + j + 1] = C[c3 + j + 1]! + s31;
      } else {
        C[c0 + j] = s00;
        C[c0 + j + 1] = s01;
        C[c1 + j] = s10;
        C[c1 + j + 1] = s11;
        C[c2 + j] = s20;
        C[c2 + j + 1] = s21;
        C[c3 + j] = s30;
        C[c3 + j + 1] = s31;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * ldb;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = Bt[b0 + p]!;
        s0 += A[a0 + p]! * x0;
        s1 += A[a1 + p]! * x0;
        s2 += A[a2 + p]! * x0;
        s3 += A[a3 + p]! * x0;
      }
      C[c0 + j] = (accumulate ? C[c0 + j]! : 0) + s0;
      C[c1 + j] = (accumulate ? C[c1 + j]! : 0) + s1;
      C[c2 + j] = (accumulate ? C[c2 + j]! : 0) + s2;
      C[c3 + j] = (accumulate ? C[c3 + j]! : 0) + s3;
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * lda;
    const c0 = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      const b0 = bOff + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p]! * Bt[b0 + p]!;
      C[c0 + j] = (accumulate ? C[c0 + j]! : 0) + s;
    }
  }
}

/** The transpose of a [rows, cols] matrix, as a new [cols, rows] array. */
export function transpose(a: Float64Array, aOff: number, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[aOff + r * cols + c]!;
  return t;
}
