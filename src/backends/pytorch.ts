/**
 * `pytorch` and `pytorch-f32`: PyTorch's torch.nn.RNN, LSTM and GRU (batch_first=True) as a peer backend, run by
 * python/rnn_harness_torch.py through the exec protocol, so that bench shows it beside ours in one run.
 * Available when a Python that imports torch and numpy is found (see python-env.ts). Debian's torch links
 * the system BLAS: with libopenblas0-pthread it is OpenBLAS, otherwise the reference BLAS, about 6x
 * slower; the hello names which, and the reports print it.
 */
import { describeValue, invalidArgument } from '../core/errors.js';
import { packageFile } from '../core/package-files.js';
import type { BackendEntry } from '../registry/types.js';
import type { Precision } from '../core/rnn.js';
import { CELLS } from '../core/kinds.js';
import { ExecBackend } from './exec.js';
import { findPython, pythonCandidates } from './python-env.js';

export type PytorchOptions = {
  /** torch.set_num_threads (default 1; docs/BACKENDS.md has the settings measured). */
  threads?: number;
  /**
   * OPENBLAS_NUM_THREADS of the child (default 1): torch threads times BLAS threads must not exceed the
   * cores (docs/BACKENDS.md, "PyTorch as a peer", for the settings measured).
   */
  blasThreads?: number;
  /** Time for the child's hello and each reply (default 60 s). */
  timeoutMs?: number;
};

export const PYTORCH_APT = 'apt-get install -y python3-torch python3-numpy libopenblas0-pthread';

function positive(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw invalidArgument("createBackend('pytorch')", `options.${name}`, 'an integer >= 1', describeValue(v));
  return v;
}

function pytorchEntry(name: string, precision: Precision): BackendEntry {
  return {
    name,
    precision,
    validatesInput: true,
    // nn.GRU applies the reset gate after the product only.
    cells: CELLS,
    gruResetBefore: false,
    description: `PyTorch's torch.nn.RNN, LSTM and GRU (${precision}) in a Python child, through the exec protocol`,
    availability: async () =>
      (await findPython(['torch', 'numpy'])) === undefined
        ? {
            available: false,
            reason: `no Python that imports torch and numpy (tried ${pythonCandidates().join(', ')}): ${PYTORCH_APT}`,
          }
        : { available: true },
    create: async (options?: object) => {
      const o = (options ?? {}) as PytorchOptions;
      const threads = positive('threads', o.threads, 1);
      const blasThreads = positive('blasThreads', o.blasThreads, 1);
      const python = await findPython(['torch', 'numpy']);
      if (python === undefined) throw new Error(`${name}: no Python that imports torch and numpy: ${PYTORCH_APT}`);
      return ExecBackend.create({
        name,
        command: python,
        timeoutMs: o.timeoutMs ?? 60_000,
        args: [
          packageFile('python', 'rnn_harness_torch.py'),
          '--dtype',
          precision,
          '--threads',
          String(threads),
          '--name',
          name,
        ],
        env: { OPENBLAS_NUM_THREADS: String(blasThreads), OMP_NUM_THREADS: String(threads) },
      });
    },
  };
}

export const pytorchEntries: BackendEntry[] = [
  pytorchEntry('pytorch', 'float64'),
  pytorchEntry('pytorch-f32', 'float32'),
];
