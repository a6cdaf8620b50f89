/**
 * Small dense matrix products over flat row-major Float64Arrays, written as cache-friendly i-k-j loops.
 * `off` arguments are element offsets, so callers can work on slices without copying.
 */

/** c[m×n] += a[m×k] · b[k×n]. */
export function gemmAcc(
  m: number, k: number, n: number,
  a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p] as number;
      if (av === 0) continue;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j] as number) + av * (b[bp + j] as number);
    }
  }
}

/** c[m×n] += a[m×k] · b[n×k]ᵀ (rows of a dotted with rows of b). */
export function gemmAccBt(
  m: number, k: number, n: number,
  a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[ai + p] as number) * (b[bj + p] as number);
      c[ci + j] = (c[ci + j] as number) + s;
    }
  }
}

/** c[k×n] += a[m×k]ᵀ · b[m×n] (a sum of outer products over the m rows). */
export function gemmAccAt(
  m: number, k: number, n: number,
  a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    const bi = bOff + i * n;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p] as number;
      if (av === 0) continue;
      const cp = cOff + p * n;
      for (let j = 0; j < n; j++) c[cp + j] = (c[cp + j] as number) + av * (b[bi + j] as number);
    }
  }
}
