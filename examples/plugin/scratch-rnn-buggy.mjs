// The same RNN with a classic slip: db averaged over the batch instead of summed (one gradient wrong).
import { ScratchRnn } from './scratch-rnn.mjs';

class AveragedBias extends ScratchRnn {
  async backward(p, x, hs, dhs, o) {
    const g = await super.backward(p, x, hs, dhs, o);
    return { ...g, b: { shape: g.b.shape, data: g.b.data.map((v) => v / x.shape[0]) } };
  }
}

export default { name: 'scratch-buggy', precision: 'float64', create: () => new AveragedBias('scratch-buggy') };
