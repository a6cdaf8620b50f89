/**
 * The scratch-RNN notebook's Problem 3 backward, transcribed as faithfully as it can be made to run: the
 * first entry of the bug catalog (src/catalog/index.ts).
 *
 *     def backward(self, dh):
 *         dA = self.activator.backward(dh)          # Tanh keeps only the LAST step's A
 *         for n in range(self.n_features)[::-1]:   # loops over features, not time steps
 *             self.dB += np.sum(dA, axis=0)        # same dA at every step; never reset between calls
 *             self.dWx += x[:, n, :].T @ dA
 *             self.dWh += h[n].T @ dA              # h_n where h_{n-1} belongs
 *         dx = dA @ Wx                             # needs Wx.T (made to run: transposed), last step only
 *         dh = dA @ Wh                             # Wh where Wh.T belongs
 *         return dx, dh
 *
 * Made to run: n goes over min(F, T) steps (x[:, n, :] would fail for n >= T); dx is dA·wxᵀ at the last
 * step and zero elsewhere; the accumulators start again when the shape changes. The forward pass is the correct one
 * (the notebook's matches Problem 2).
 */
import { LoopsBackend } from '../backends/loops.js';
import type { Precision, RnnBackend, RnnGradients, RnnOptions, RnnParams } from '../core/rnn.js';
import { tensor, type Tensor } from '../core/tensor.js';

export class NotebookBackwardBackend implements RnnBackend {
  readonly name = 'notebook-problem3';
  constructor(readonly precision: Precision = 'float64') {}
  private readonly forwardPass = new LoopsBackend();
  // The notebook's self.dB, self.dWx, self.dWh: accumulated across calls, never reset.
  private acc: { dB: Float64Array; dWx: Float64Array; dWh: Float64Array } | undefined;

  forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    return this.forwardPass.forward(p, x, o);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor): Promise<RnnGradients> {
    const [B, T, F] = x.shape as [number, number, number];
    const H = p.wx.shape[1] as number;
    const at = (t: Tensor, i: number) => t.data[i] as number;
    if (this.acc?.dWx.length !== F * H || this.acc.dB.length !== H) {
      // Made to run: numpy would raise on a new shape, so the accumulators start again there.
      this.acc = { dB: new Float64Array(H), dWx: new Float64Array(F * H), dWh: new Float64Array(H * H) };
    }
    const { dB, dWx, dWh } = this.acc;
    // dA = dh * (1 - tanh(A_last)^2), with dh the upstream gradient of the last step only.
    const dA = new Float64Array(B * H);
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < H; j++) {
        const h = at(hs, (i * T + T - 1) * H + j);
        dA[i * H + j] = at(dhs, (i * T + T - 1) * H + j) * (1 - h * h);
      }
    }
    for (let n = Math.min(F, T) - 1; n >= 0; n--) {
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) {
          const da = dA[i * H + j] as number;
          dB[j] = (dB[j] as number) + da;
          for (let f = 0; f < F; f++) dWx[f * H + j] = (dWx[f * H + j] as number) + at(x, (i * T + n) * F + f) * da;
          for (let k = 0; k < H; k++) dWh[k * H + j] = (dWh[k * H + j] as number) + at(hs, (i * T + n) * H + k) * da;
        }
      }
    }
    const dx = new Float64Array(B * T * F);
    const dh = new Float64Array(B * H);
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < H; j++) {
        const da = dA[i * H + j] as number;
        for (let f = 0; f < F; f++)
          dx[(i * T + T - 1) * F + f] = (dx[(i * T + T - 1) * F + f] as number) + da * at(p.wx, f * H + j);
        for (let k = 0; k < H; k++) dh[i * H + k] = (dh[i * H + k] as number) + da * at(p.wh, j * H + k);
      }
    }
    return {
      wx: tensor([F, H], dWx),
      wh: tensor([H, H], dWh),
      b: tensor([H], dB),
      x: tensor([B, T, F], dx),
      h0: tensor([B, H], dh),
    };
  }

  async dispose(): Promise<void> {}
}
