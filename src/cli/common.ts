/** What the CLI commands share: output, usage errors, backend selection, tables, JSON files. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { listBackends } from '../registry.js';
import type { BackendInfo } from '../registry-types.js';
import type { RnnBackend } from '../rnn.js';

export type Io = { out: (line: string) => void; err: (line: string) => void };

export const consoleIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Bad usage: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs a util.parseArgs call, turning its errors into UsageErrors. */
export function parsed<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(`rnn-harness ${command}: ${(e as Error).message}`);
  }
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(command: string, name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`rnn-harness ${command}: --${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`);
  }
  return n;
}

export type Selection = { run: BackendInfo[]; unavailable: BackendInfo[]; requested: boolean };

/**
 * The backends a command runs on: `--backends a,b`, or every registered one. An unknown name is a
 * UsageError listing the known ones; unavailable backends are returned with their reasons.
 */
export async function selectBackends(command: string, flag: string | undefined): Promise<Selection> {
  const all = await listBackends();
  let chosen = all;
  if (flag !== undefined) {
    const names = flag.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 0) throw new UsageError(`rnn-harness ${command}: --backends must name at least one backend; got ${JSON.stringify(flag)}`);
    for (const n of names) {
      if (!all.some((b) => b.name === n)) {
        throw new UsageError(`rnn-harness ${command}: --backends: unknown backend '${n}'; known: ${all.map((b) => b.name).join(', ')}`);
      }
    }
    chosen = all.filter((b) => names.includes(b.name));
  }
  return { run: chosen.filter((b) => b.available), unavailable: chosen.filter((b) => !b.available), requested: flag !== undefined };
}

/** Prints the unavailable backends with their reasons. */
export function reportUnavailable(io: Io, s: Selection): void {
  for (const b of s.unavailable) io.out(`${b.name}: unavailable: ${b.reason}`);
}

/** A plain-text table with columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The GL renderer of a backend that draws with a GPU API (gpujs-headlessgl), or undefined. */
export function rendererOf(backend: RnnBackend): string | undefined {
  const r = (backend as { renderer?: unknown }).renderer;
  return typeof r === 'string' ? r : undefined;
}
