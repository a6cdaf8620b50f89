/**
 * Which backends a run covers, and opening one for it. A run names registered backends or passes
 * entries directly (so a project can check its backend without registering it); every backend is
 * created through the registry's checks and wrapped in a guard (./guard.ts), with its capabilities
 * resolved from the entry and the created backend.
 */
import { resolveCapabilities, type Capabilities } from '../core/capabilities.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import { checkEntry } from '../registry/checks.js';
import { availabilityOf, backendEntries, createFromEntry, getBackendEntry } from '../registry/registry.js';
import type { BackendEntry, BackendInfo } from '../registry/types.js';
import type { RnnBackend } from '../core/rnn.js';
import { DEFAULT_TIMEOUT_MS, guardBackend, withTimeout } from './guard.js';

/** A backend named in the registry, or an entry of its own. */
export type BackendRef = string | BackendEntry;

export type Selection = {
  /** The backends that run here, in the order asked for (or registered). */
  run: BackendEntry[];
  /** Those that cannot, with the reason. */
  unavailable: BackendInfo[];
  /** Whether the caller chose the backends (an unavailable one is then a failure, not a note). */
  requested: boolean;
};

/** Resolves `refs` (default: every registered backend) and sorts them by whether they run here. */
export async function selectBackends(fn: string, refs?: readonly BackendRef[]): Promise<Selection> {
  if (refs !== undefined && (!Array.isArray(refs) || refs.length === 0)) {
    throw invalidArgument(fn, 'options.backends', 'a non-empty array of backend names or entries', describeValue(refs));
  }
  const entries: BackendEntry[] = [];
  for (const ref of refs ?? backendEntries()) {
    const entry = typeof ref === 'string' ? getBackendEntry(ref, fn) : checkEntry(fn, ref);
    if (!entries.some((e) => e.name === entry.name)) entries.push(entry);
  }
  const selection: Selection = { run: [], unavailable: [], requested: refs !== undefined };
  // Probed all at once: some probes start a process (a Python that imports torch) and only wait on it.
  const found = await Promise.all(entries.map((entry) => availabilityOf(entry)));
  entries.forEach((entry, i) => {
    const a = found[i] as Awaited<ReturnType<typeof availabilityOf>>;
    if (a.available) selection.run.push(entry);
    else
      selection.unavailable.push({ name: entry.name, precision: entry.precision, available: false, reason: a.reason });
  });
  return selection;
}

/** A backend opened for a run: guarded, with what it declares (and the unguarded backend, for bad inputs). */
export type Subject = { entry: BackendEntry; backend: RnnBackend; raw: RnnBackend; capabilities: Capabilities };

export type OpenOptions = {
  /** Create with the entry's checkOptions (check, fuzz, conformance) rather than its defaults (bench). */
  forCheck?: boolean;
  /** Options for create(), instead of either. */
  createOptions?: object;
  timeoutMs?: number;
};

/** Creates the entry's backend (within the time limit) and guards it; throws with the reason on failure. */
export async function openSubject(entry: BackendEntry, options: OpenOptions = {}): Promise<Subject> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const createOptions = options.createOptions ?? (options.forCheck ? entry.checkOptions : undefined);
  const raw = await withTimeout(`${entry.name}: create()`, timeoutMs, () => createFromEntry(entry, createOptions));
  const capabilities = resolveCapabilities(entry, raw);
  return { entry, backend: guardBackend(raw, { timeoutMs, capabilities, name: entry.name }), raw, capabilities };
}

/** Disposes a subject's backend; a failure to dispose is returned as a message, never thrown. */
export async function closeSubject(s: Subject): Promise<string | undefined> {
  try {
    await s.backend.dispose();
    return undefined;
  } catch (e) {
    return `${s.entry.name}: dispose() failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
