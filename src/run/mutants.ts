/**
 * runMutants: `rnn-harness mutants` as a function. Every entry of the bug catalog is hunted with check and
 * fuzz against loops; the report says which were caught, by what, and with which shrunk counterexample.
 */
import { CATALOG } from '../catalog/index.js';
import { hunt, type HuntResult } from '../catalog/hunt.js';
import { describeValue, invalidArgument } from '../errors.js';
import { createBackend } from '../registry.js';
import { PRECISIONS, type Precision } from '../rnn.js';

export type MutantsOptions = {
  /** Only these catalog entries (default: all). */
  only?: readonly string[];
  /** Fuzz runs per property (default 100). */
  runs?: number;
  /** Fuzz seed (default 1). */
  seed?: number;
  /** The precision every buggy backend claims, and so the tolerance it is judged by (default float64). */
  precision?: Precision;
  progress?: (line: string) => void;
};

export type MutantRow = HuntResult & { name: string; description: string };
export type MutantsReport = { ok: boolean; precision: Precision; runs: number; seed: number; mutants: MutantRow[] };

export async function runMutants(options: MutantsOptions = {}): Promise<MutantsReport> {
  const { runs = 100, seed = 1, precision = 'float64' } = options;
  if (!PRECISIONS.includes(precision)) throw invalidArgument('runMutants', 'options.precision', "'float64' or 'float32'", describeValue(precision));
  const unknown = (options.only ?? []).filter((n) => !CATALOG.some((e) => e.name === n));
  if (unknown.length > 0) throw invalidArgument('runMutants', 'options.only', `names from the catalog (${CATALOG.map((e) => e.name).join(', ')})`, unknown.join(', '));
  const entries = options.only === undefined ? [...CATALOG] : CATALOG.filter((e) => options.only?.includes(e.name));
  const reference = await createBackend('loops');
  const mutants: MutantRow[] = [];
  try {
    for (const [i, entry] of entries.entries()) {
      options.progress?.(`[${i + 1}/${entries.length}] hunting ${entry.name}…`);
      const backend = entry.create(precision);
      try {
        mutants.push({ name: entry.name, description: entry.description, ...(await hunt(backend, reference, { runs, seed })) });
      } finally {
        await backend.dispose();
      }
    }
  } finally {
    await reference.dispose();
  }
  return { ok: mutants.every((m) => m.killed), precision, runs, seed, mutants };
}
