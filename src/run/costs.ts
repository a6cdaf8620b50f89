/**
 * What parts of a campaign cost, measured in past runs, so that `--jobs` deals the work by time and not
 * by count: a gpujs-headlessgl or pytorch property takes far longer than a loops one. Kept as JSON in
 * node_modules/.cache/rnn-harness (or RNN_HARNESS_CACHE, or the temporary folder when there is no
 * node_modules); a part never measured is estimated from its backend's kind (run/deal.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder of the cache. */
export function cacheDir(): string {
  const env = process.env.RNN_HARNESS_CACHE;
  if (env !== undefined && env !== '') return env;
  const modules = join(process.cwd(), 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'rnn-harness') : join(tmpdir(), 'rnn-harness-cache');
}

/** Milliseconds per unit of work (a fuzz case, a check of one backend, a hunt) by key, e.g. 'small agreement wasm'. */
export type Costs = Record<string, number>;

const file = (kind: string) => join(cacheDir(), `${kind}-costs.json`);

/** The costs measured so far for `kind` ('fuzz', 'check', 'mutants'); {} when none (or unreadable). */
export async function readCosts(kind: string): Promise<Costs> {
  try {
    const json = JSON.parse(await readFile(file(kind), 'utf8')) as unknown;
    return typeof json === 'object' && json !== null ? (json as Costs) : {};
  } catch {
    return {};
  }
}

/** Adds new measurements (the latest wins); a cache that cannot be written is left alone. */
export async function recordCosts(kind: string, measured: Costs): Promise<void> {
  try {
    const costs = { ...(await readCosts(kind)), ...measured };
    await mkdir(cacheDir(), { recursive: true });
    await writeFile(file(kind), `${JSON.stringify(costs, null, 1)}\n`);
  } catch {
    // a read-only folder: the next run estimates again
  }
}

/** The key of a fuzz property's cost: ms per case, by sizes, property and backend. */
/** The sizes part of a fuzz cost key: 'small', 'large', or 'small lstm' for a gated cell. */
export const costSizes = (sizes: string, cell: string): string => (cell === 'rnn' ? sizes : `${sizes} ${cell}`);

export const fuzzCostKey = (sizes: string, property: string, backend: string): string =>
  `${sizes} ${property} ${backend}`;
