// A backend that implements only ReLU says so: the harness runs its relu cases and shows tanh as not supported.
import { ScratchRnn } from './scratch-rnn.mjs';

export default {
  name: 'scratch-relu',
  precision: 'float64',
  activations: ['relu'],
  create: () => new ScratchRnn('scratch-relu'),
};
