/**
 * The built-in backends, registered in one place: loaded once by every entry point of the package (the
 * API, rnn-harness/vitest, the CLI), never by the registry itself. Each engine's heavy modules (tfjs,
 * gpu.js, a Python child) load only when its backend is created.
 */
import { markReloadable, registerBackend, registerFactory } from '../registry/registry.js';
import { ExecBackend } from './exec.js';
import { gpujsEntries } from './gpujs.js';
import { loopsEntry } from './loops.js';
import { pytorchEntries } from './pytorch.js';
import { tfjsCpuEntry, tfjsWasmEntry } from './tfjs.js';
import { wasmEntries } from './wasm.js';
import { workersEntry } from './workers.js';

/** The built-in entries, in the order `list` shows them. */
export const BUILTIN_ENTRIES = [
  loopsEntry,
  workersEntry,
  ...wasmEntries,
  tfjsCpuEntry,
  tfjsWasmEntry,
  ...gpujsEntries,
  ...pytorchEntries,
];

for (const entry of BUILTIN_ENTRIES) {
  registerBackend(entry);
  markReloadable(entry);
}
registerFactory('exec', (options) => ExecBackend.create(options));
