/** Gated bugs of real projects planted in front of loops' right kernels, for the tests of check and fuzz --cell. */
import { createBackend } from '../../src/index.js';
import type { RnnBackend, RnnOptions, RnnParams } from '../../src/core/rnn.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { BackendEntry } from '../../src/registry/types.js';

/**
 * An entry whose backend is loops with its inputs changed before each call: a bug in front of a right kernel.
 */
export function plantedEntry(
  name: string,
  cells: BackendEntry['cells'],
  change: (p: RnnParams, o: RnnOptions | undefined) => [RnnParams, RnnOptions | undefined],
): BackendEntry {
  return {
    name,
    precision: 'float64',
    description: `loops with a planted bug: ${name}`,
    ...(cells === undefined ? {} : { cells }),
    create: async (): Promise<RnnBackend> => {
      const loops = await createBackend('loops');
      return {
        name,
        precision: 'float64',
        forward: (p: RnnParams, x: Tensor, o?: RnnOptions) => {
          const [p2, o2] = change(p, o);
          return loops.forward(p2, x, o2);
        },
        backward: (p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions) => {
          const [p2, o2] = change(p, o);
          return loops.backward(p2, x, hs, dhs, o2);
        },
        dispose: () => loops.dispose(),
      };
    },
  };
}

/** A GRU that always applies the reset gate after the product, whatever resetAfter says (burn#2704). */
export const gruAlwaysResetAfter = (): BackendEntry =>
  plantedEntry('gru-always-reset-after', ['gru'], (p, o) => [p, { ...o, resetAfter: true }]);

/** An LSTM that drops the initial cell state c0. */
export const lstmC0Ignored = (): BackendEntry =>
  plantedEntry('lstm-c0-ignored', ['lstm'], (p, o) => {
    const { c0: _c0, ...rest } = o ?? {};
    return [p, rest];
  });
