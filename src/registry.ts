/** name -> BackendEntry, like tfjs-core's kernel registry: duplicates and unknown names throw. */
import { gpujsEntries } from './backends/gpujs.js';
import { loopsEntry } from './backends/loops.js';
import { tfjsCpuEntry, tfjsWasmEntry } from './backends/tfjs.js';
import { workersEntry } from './backends/workers.js';
import { describeValue, invalidArgument, RnnInputError } from './errors.js';
import type { BackendEntry, BackendInfo } from './registry-types.js';
import type { RnnBackend } from './rnn.js';

const entries = new Map<string, BackendEntry>();

/** Adds a backend; a name that is already registered throws. */
export function registerBackend(entry: BackendEntry): void {
  if (entries.has(entry.name)) {
    throw new RnnInputError(`registerBackend: a backend named '${entry.name}' is already registered`);
  }
  entries.set(entry.name, entry);
}

/** Removes a backend added with registerBackend (for tests and plug-ins); returns whether it was there. */
export function unregisterBackend(name: string): boolean {
  return entries.delete(name);
}

/** Every registered entry, in registration order. */
export function backendEntries(): BackendEntry[] {
  return [...entries.values()];
}

/** The entry for `name`; an unknown name throws and lists the known ones. */
export function getBackendEntry(name: string, fn = 'getBackendEntry'): BackendEntry {
  const entry = entries.get(name);
  if (entry === undefined) {
    throw invalidArgument(fn, 'name', `one of ${[...entries.keys()].map((n) => `'${n}'`).join(', ')}`, describeValue(name));
  }
  return entry;
}

/**
 * Backend families: one engine in several modes, each mode its own entry named `<family>-<mode>`, so
 * `createBackend('gpujs', { mode: 'webasm' })` is `createBackend('gpujs-webasm')`.
 */
const FAMILIES: Record<string, { option: string; fallback: string }> = { gpujs: { option: 'mode', fallback: 'headlessgl' } };

function resolveName(name: string, options?: object): string {
  const family = entries.has(name) ? undefined : FAMILIES[name];
  if (family === undefined) return name;
  const mode = (options as Record<string, unknown> | undefined)?.[family.option] ?? family.fallback;
  const resolved = `${name}-${String(mode)}`;
  if (typeof mode !== 'string' || !entries.has(resolved)) {
    const modes = [...entries.keys()].filter((n) => n.startsWith(`${name}-`)).map((n) => `'${n.slice(name.length + 1)}'`);
    throw invalidArgument('createBackend', `options.${family.option}`, `one of ${modes.join(', ')}`, describeValue(mode));
  }
  return resolved;
}

/**
 * Creates a backend by name (or by family and mode, see FAMILIES). An unknown name, or a backend that
 * cannot run here, throws with the reason.
 */
export async function createBackend(requested: string, options?: object): Promise<RnnBackend> {
  const name = resolveName(requested, options);
  const entry = getBackendEntry(name, 'createBackend');
  const a = await entry.availability();
  if (!a.available) throw new RnnInputError(`createBackend: backend '${name}' is not available here: ${a.reason}`);
  return entry.create(options);
}

/** Creates a backend with the options its entry names for checking (see BackendEntry.checkOptions). */
export async function createBackendForCheck(name: string): Promise<RnnBackend> {
  return createBackend(name, getBackendEntry(name, 'createBackendForCheck').checkOptions);
}

/** Every backend with whether it runs here and, when not, why. */
export async function listBackends(): Promise<BackendInfo[]> {
  return Promise.all(
    backendEntries().map(async (e) => {
      const a = await e.availability();
      return a.available
        ? { name: e.name, precision: e.precision, available: true }
        : { name: e.name, precision: e.precision, available: false, reason: a.reason };
    }),
  );
}

registerBackend(loopsEntry);
registerBackend(workersEntry);
registerBackend(tfjsCpuEntry);
registerBackend(tfjsWasmEntry);
for (const entry of gpujsEntries) registerBackend(entry);
