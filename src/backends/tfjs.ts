/**
 * `tfjs-cpu` and `tfjs-wasm`: TensorFlow.js's own tf.layers.simpleRNN as backends under test. TensorFlow.js
 * is an optional peer dependency: these entries load ./tfjs-engine.ts only when a tfjs backend is
 * checked, created or timed, and say how to install it when it is absent.
 */
import { createRequire } from 'node:module';
import type { BackendEntry } from '../registry/types.js';

import type { TfjsEngine, TfjsOptions } from './tfjs-options.js';

export type { TfjsEngine, TfjsOptions } from './tfjs-options.js';

const PACKAGES: Record<TfjsEngine, string[]> = {
  cpu: ['@tensorflow/tfjs'],
  wasm: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
};

/** The packages of `engine` that cannot be resolved from here. */
function missingPackages(engine: TfjsEngine): string[] {
  const require = createRequire(import.meta.url);
  return PACKAGES[engine].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

const engine = () => import('./tfjs-engine.js');

function tfjsEntry(name: TfjsEngine, description: string): BackendEntry {
  return {
    name: `tfjs-${name}`,
    precision: 'float32',
    validatesInput: true,
    cells: ['rnn', 'lstm', 'gru'],
    gruResetBefore: true,
    description,
    availability: async () => {
      const missing = missingPackages(name);
      if (missing.length > 0)
        return {
          available: false,
          reason: `${missing.join(' and ')} not installed: npm install ${PACKAGES[name].join(' ')}`,
        };
      try {
        await (await engine()).startEngine(name);
        return { available: true };
      } catch (e) {
        return { available: false, reason: `tfjs '${name}' backend failed to start: ${(e as Error).message}` };
      }
    },
    create: async (options?: object) => new (await engine()).TfjsBackend(name, options as TfjsOptions | undefined),
    matmulProbe: async (n: number) => (await engine()).tfjsMatmulProbe(name, n),
  };
}

export const tfjsCpuEntry = tfjsEntry(
  'cpu',
  "TensorFlow.js's tf.layers.simpleRNN, lstm and gru on its plain-JavaScript cpu backend (float32)",
);
export const tfjsWasmEntry = tfjsEntry(
  'wasm',
  "TensorFlow.js's tf.layers.simpleRNN, lstm and gru on its WebAssembly backend, wasm files from the package (float32)",
);
