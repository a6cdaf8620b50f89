/**
 * The classifier's head: a dense layer z = h·W + b over n rows, and softmax cross-entropy computed
 * stably through log-sum-exp.
 */

/** z[n, out] = h[n, in]·W[in, out] + b[out]. */
export function denseForward(
  h: Float64Array,
  n: number,
  nIn: number,
  W: Float64Array,
  b: Float64Array,
  nOut: number,
): Float64Array {
  const z = new Float64Array(n * nOut);
  for (let r = 0; r < n; r++) {
    const zr = r * nOut;
    for (let j = 0; j < nOut; j++) z[zr + j] = b[j]!;
    for (let k = 0; k < nIn; k++) {
      const v = h[r * nIn + k]!;
      if (v === 0) continue;
      const wk = k * nOut;
      for (let j = 0; j < nOut; j++) z[zr + j] = z[zr + j]! + v * W[wk + j]!;
    }
  }
  return z;
}

/** Gradients of the dense layer from dz: dW = hᵀ·dz, db = Σ_rows dz, dh = dz·Wᵀ. */
export function denseBackward(
  h: Float64Array,
  n: number,
  nIn: number,
  W: Float64Array,
  dz: Float64Array,
  nOut: number,
) {
  const dW = new Float64Array(nIn * nOut),
    db = new Float64Array(nOut),
    dh = new Float64Array(n * nIn);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < nOut; j++) db[j] = db[j]! + dz[r * nOut + j]!;
    for (let k = 0; k < nIn; k++) {
      const v = h[r * nIn + k]!;
      let s = 0;
      for (let j = 0; j < nOut; j++) {
        const d = dz[r * nOut + j]!;
        dW[k * nOut + j] = dW[k * nOut + j]! + v * d;
        s += d * W[k * nOut + j]!;
      }
      dh[r * nIn + k] = s;
    }
  }
  return { dW, db, dh };
}

/** Row-wise softmax, shifted by each row's maximum so that exp never overflows. */
export function softmax(z: Float64Array, n: number, k: number): Float64Array {
  const p = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[r * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += p[r * k + j] = Math.exp(z[r * k + j]! - max);
    for (let j = 0; j < k; j++) p[r * k + j] = p[r * k + j]! / sum;
  }
  return p;
}

/**
 * Mean cross-entropy of softmax(z) against integer labels, as −z_y + max + log Σ exp(z − max)
 * (log-sum-exp), and its gradient dz = (softmax(z) − onehot(y)) / n.
 */
export function softmaxCrossEntropy(
  z: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  k: number,
): { loss: number; probs: Float64Array; dz: Float64Array } {
  const probs = softmax(z, n, k);
  const dz = new Float64Array(n * k);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[r * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[r * k + j]! - max);
    const y = labels[r]!;
    loss += -z[r * k + y]! + max + Math.log(sum);
    for (let j = 0; j < k; j++) dz[r * k + j] = (probs[r * k + j]! - (j === y ? 1 : 0)) / n;
  }
  return { loss: loss / n, probs, dz };
}
