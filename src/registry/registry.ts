/**
 * name -> BackendEntry, like tfjs-core's kernel registry: duplicates and unknown names throw. The registry
 * knows no backend: each registers itself (the built-in ones from backends/builtin.ts, which the entry
 * points load; plug-ins from registry/plugins.ts).
 */
import { describeValue, invalidArgument, RnnInputError } from '../core/errors.js';
import { checkCreated, checkEntry } from './checks.js';
import type { Availability, BackendEntry, BackendInfo } from './types.js';
import type { RnnBackend } from '../core/rnn.js';

const entries = new Map<string, BackendEntry>();
/** Entries that a child process of the CLI registers again by itself (built in, or from its flags). */
const reloadable = new WeakSet<BackendEntry>();

/**
 * Marks an entry as one that a child `rnn-harness` process has too: a built-in, or one registered from
 * the command's flags (--plugin, --exec, --connect, NAME@key=value), which the child is given again. A
 * run with --jobs splits only over such backends.
 */
export function markReloadable(entry: BackendEntry): void {
  reloadable.add(entry);
}

/** Whether a child process would have this very entry under its name (see markReloadable). */
export function isReloadable(entry: BackendEntry): boolean {
  return reloadable.has(entry) && entries.get(entry.name) === entry;
}

/**
 * Adds a backend. A malformed entry (see BackendEntry) or a name that is already registered throws an
 * RnnInputError that names the fix.
 */
export function registerBackend(entry: BackendEntry): void {
  checkEntry('registerBackend', entry);
  if (entries.has(entry.name)) {
    throw new RnnInputError(
      `registerBackend: a backend named '${entry.name}' is already registered; choose another name or unregisterBackend('${entry.name}') first`,
    );
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
    throw invalidArgument(
      fn,
      'name',
      `one of ${[...entries.keys()].map((n) => `'${n}'`).join(', ')}`,
      describeValue(name),
    );
  }
  return entry;
}

/**
 * Backend families: one engine in several modes, each mode its own entry named `<family>-<mode>`, so
 * `createBackend('gpujs', { mode: 'webasm' })` is `createBackend('gpujs-webasm')`.
 */
const FAMILIES: Record<string, { option: string; fallback: string }> = {
  gpujs: { option: 'mode', fallback: 'headlessgl' },
};

function resolveName(name: string, options?: object): string {
  const family = entries.has(name) ? undefined : FAMILIES[name];
  if (family === undefined) return name;
  const mode = (options as Record<string, unknown> | undefined)?.[family.option] ?? family.fallback;
  const resolved = `${name}-${String(mode)}`;
  if (typeof mode !== 'string' || !entries.has(resolved)) {
    const modes = [...entries.keys()]
      .filter((n) => n.startsWith(`${name}-`))
      .map((n) => `'${n.slice(name.length + 1)}'`);
    throw invalidArgument(
      'createBackend',
      `options.${family.option}`,
      `one of ${modes.join(', ')}`,
      describeValue(mode),
    );
  }
  return resolved;
}

/**
 * Backends a parent process found available moments ago on this machine (a run with --jobs passes their
 * names to its children in RNN_HARNESS_AVAILABLE), so that each child does not probe them again: some
 * probes start an engine or a Python that imports torch, which costs seconds.
 */
const knownAvailable = new Set((process.env.RNN_HARNESS_AVAILABLE ?? '').split(',').filter((n) => n !== ''));

/** Whether an entry runs here; an availability() that throws or answers nonsense counts as unavailable. */
export async function availabilityOf(entry: BackendEntry): Promise<Availability> {
  if (entry.availability === undefined || knownAvailable.has(entry.name)) return { available: true };
  try {
    const a = await entry.availability();
    if (a?.available === true) return { available: true };
    if (a?.available === false && typeof a.reason === 'string') return a;
    return {
      available: false,
      reason: `availability() must resolve to { available: true } or { available: false, reason }; got ${describeValue(a)}`,
    };
  } catch (e) {
    return { available: false, reason: `availability() threw: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Creates a backend from an entry: refuses one that cannot run here (with the reason) and a created
 * object that is not an RnnBackend (see registry-checks.ts).
 */
export async function createFromEntry(
  entry: BackendEntry,
  options?: object,
  fn = 'createBackend',
): Promise<RnnBackend> {
  const a = await availabilityOf(entry);
  if (!a.available) throw new RnnInputError(`${fn}: backend '${entry.name}' is not available here: ${a.reason}`);
  const created: unknown = await entry.create(options);
  try {
    return checkCreated(fn, entry, created);
  } catch (e) {
    const dispose = (created as { dispose?: unknown } | null)?.dispose;
    if (typeof dispose === 'function') await Promise.resolve(dispose.call(created)).catch(() => undefined);
    throw e;
  }
}

/**
 * Factories that make a backend from options alone, without an entry of their own, e.g. 'exec', which
 * starts a program that speaks the exec protocol: `createBackend('exec', { name, command, args, … })`.
 */
const FACTORIES = new Map<string, (options?: object) => Promise<RnnBackend>>();

/** Adds a factory (see FACTORIES); a name already taken throws. */
export function registerFactory(name: string, create: (options?: object) => Promise<RnnBackend>): void {
  if (FACTORIES.has(name)) throw new RnnInputError(`registerFactory: a factory named '${name}' is already registered`);
  FACTORIES.set(name, create);
}

/**
 * Creates a backend by name (or by family and mode, see FAMILIES; or from a factory, see FACTORIES). An
 * unknown name, a backend that cannot run here, or a created object that is not a backend throws with
 * the reason.
 */
export async function createBackend(requested: string, options?: object): Promise<RnnBackend> {
  const factory = entries.has(requested) ? undefined : FACTORIES.get(requested);
  if (factory !== undefined) return factory(options);
  const name = resolveName(requested, options);
  return createFromEntry(getBackendEntry(name, 'createBackend'), options);
}

/** Creates a backend with the options its entry names for checking (see BackendEntry.checkOptions). */
export async function createBackendForCheck(name: string): Promise<RnnBackend> {
  const entry = getBackendEntry(name, 'createBackendForCheck');
  return createFromEntry(entry, entry.checkOptions);
}

/** An entry's row for `list`: precision, whether it runs here and, when not, why. */
export async function infoOf(e: BackendEntry): Promise<BackendInfo> {
  const a = await availabilityOf(e);
  const base = {
    name: e.name,
    precision: e.precision,
    ...(e.description === undefined ? {} : { description: e.description }),
  };
  return a.available ? { ...base, available: true } : { ...base, available: false, reason: a.reason };
}

/** Every backend with whether it runs here and, when not, why. */
export async function listBackends(): Promise<BackendInfo[]> {
  return Promise.all(backendEntries().map(infoOf));
}
