// A third-party SimpleRNN as an rnn-harness plug-in: `rnn-harness check --plugin ./scratch-rnn.mjs`.
import { checkBackward, checkForward } from 'rnn-harness';

export class ScratchRnn {
  precision = 'float64';
  constructor(name = 'scratch') {
    this.name = name;
  }

  async forward(p, x, o) {
    const { B, T, F, H, activation, h0 } = checkForward(`${this.name}.forward`, p, x, o);
    const hs = new Float64Array(B * T * H);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let j = 0; j < H; j++) {
          let a = p.b.data[j];
          for (let f = 0; f < F; f++) a += x.data[(b * T + t) * F + f] * p.wx.data[f * H + j];
          for (let k = 0; k < H; k++)
            a += (t > 0 ? hs[(b * T + t - 1) * H + k] : h0 ? h0.data[b * H + k] : 0) * p.wh.data[k * H + j];
          hs[(b * T + t) * H + j] = activation === 'tanh' ? Math.tanh(a) : Math.max(0, a);
        }
    return { shape: [B, T, H], data: hs };
  }

  async backward(p, x, hs, dhs, o) {
    const { B, T, F, H, activation, h0 } = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const [dwx, dwh, db, dx, dh] = [
      new Float64Array(F * H),
      new Float64Array(H * H),
      new Float64Array(H),
      new Float64Array(B * T * F),
      new Float64Array(B * H),
    ];
    for (let t = T - 1; t >= 0; t--)
      for (let b = 0; b < B; b++) {
        const da = new Float64Array(H),
          r = (b * T + t) * H;
        for (let j = 0; j < H; j++)
          da[j] =
            (dhs.data[r + j] + dh[b * H + j]) *
            (activation === 'tanh' ? 1 - hs.data[r + j] ** 2 : hs.data[r + j] > 0 ? 1 : 0);
        for (let k = 0; k < H; k++) {
          const hPrev = t > 0 ? hs.data[r - H + k] : h0 ? h0.data[b * H + k] : 0;
          let g = 0;
          for (let j = 0; j < H; j++) {
            dwh[k * H + j] += hPrev * da[j];
            g += da[j] * p.wh.data[k * H + j];
          }
          dh[b * H + k] = g;
        }
        for (let f = 0; f < F; f++)
          for (let j = 0; j < H; j++) {
            dwx[f * H + j] += x.data[(b * T + t) * F + f] * da[j];
            dx[(b * T + t) * F + f] += da[j] * p.wx.data[f * H + j];
          }
        for (let j = 0; j < H; j++) db[j] += da[j];
      }
    const t = (shape, data) => ({ shape, data });
    return { wx: t([F, H], dwx), wh: t([H, H], dwh), b: t([H], db), x: t([B, T, F], dx), h0: t([B, H], dh) };
  }

  async dispose() {}
}

// validatesInput: forward and backward refuse bad input (checkForward / checkBackward), and the conformance suite tests
// that.
export default {
  name: 'scratch',
  precision: 'float64',
  validatesInput: true,
  description: 'a SimpleRNN written from scratch',
  create: () => new ScratchRnn(),
};
