/**
 * runMutants: `rnn-harness mutants` as a function. Every entry of the bug catalog is hunted with check and
 * fuzz against loops; the report says which were caught, by what, and with which shrunk counterexample.
 */
import { CATALOG, cellOf, type CatalogEntry } from '../catalog/index.js';
import { hunt, type HuntResult } from '../catalog/hunt.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import { createBackend } from '../registry/registry.js';
import { PRECISIONS, type Precision } from '../core/rnn.js';
import type { Cell } from '../core/kinds.js';
import { readCosts, recordCosts } from './costs.js';
import { dealByCost } from './deal.js';
import { checkJobs, jobsFor, runJobs, type JobsOption } from './jobs.js';

/** Options of runMutants: which entries, fuzz runs and seed, the precision they claim, jobs. */
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
  /**
   * Child processes to hunt in (default 1: this process; 'auto': the cores, when the hunt is estimated at
   * 10 s or more): the entries dealt to them by what they cost in past runs (else evenly), the rows merged
   * back in the catalog's order.
   */
  jobs?: JobsOption;
};

/** One entry of the bug catalog hunted: whether it was caught, by what, and its shrunk counterexample. */
export type MutantRow = HuntResult & {
  name: string;
  description: string;
  /** A gated entry's cell, and the public report it is modelled on. */
  cell?: Cell;
  source?: string;
};
/** What `rnn-harness mutants` prints and writes: every entry of the catalog hunted. */
export type MutantsReport = { ok: boolean; precision: Precision; runs: number; seed: number; mutants: MutantRow[] };

/** `rnn-harness mutants` as a function: hunts every entry of the bug catalog with check and fuzz. */
export async function runMutants(options: MutantsOptions = {}): Promise<MutantsReport> {
  const { runs = 100, seed = 1, precision = 'float64' } = options;
  if (!PRECISIONS.includes(precision))
    throw invalidArgument('runMutants', 'options.precision', "'float64' or 'float32'", describeValue(precision));
  const unknown = (options.only ?? []).filter((n) => !CATALOG.some((e) => e.name === n));
  if (unknown.length > 0)
    throw invalidArgument(
      'runMutants',
      'options.only',
      `names from the catalog (${CATALOG.map((e) => e.name).join(', ')})`,
      unknown.join(', '),
    );
  const entries = options.only === undefined ? [...CATALOG] : CATALOG.filter((e) => options.only?.includes(e.name));
  const measured = await readCosts('mutants');
  // About 1.5 ms a case of each of two properties, and the check suite (measured: 1.7 s for 12 entries).
  const costs = entries.map((e) => measured[e.name] ?? 100 + 3 * runs);
  const jobs = jobsFor(
    checkJobs('runMutants', options.jobs),
    entries.length,
    costs.reduce((a, c) => a + c, 0),
  );
  if (jobs > 1)
    return huntInJobs(entries, jobs, costs, {
      runs,
      seed,
      precision,
      ...(options.progress === undefined ? {} : { progress: options.progress }),
    });
  const reference = await createBackend('loops');
  const mutants: MutantRow[] = [];
  const spent: Record<string, number> = {};
  try {
    for (const [i, entry] of entries.entries()) {
      options.progress?.(`[${i + 1}/${entries.length}] hunting ${entry.name}…`);
      const backend = entry.create(precision);
      const start = performance.now();
      try {
        mutants.push({
          name: entry.name,
          description: entry.description,
          ...(entry.cell === undefined ? {} : { cell: entry.cell }),
          ...(entry.source === undefined ? {} : { source: entry.source }),
          ...(await hunt(backend, reference, { runs, seed, cell: cellOf(entry) })),
        });
      } finally {
        await backend.dispose();
        spent[entry.name] = performance.now() - start;
      }
    }
  } finally {
    await reference.dispose();
  }
  // What each hunt took, for dealing the next run's jobs (run/costs.ts).
  await recordCosts('mutants', spent);
  return { ok: mutants.every((m) => m.killed), precision, runs, seed, mutants };
}

/** The hunt in `jobs` child processes, each given some entries (--only), the rows put back in catalog order. */
async function huntInJobs(
  entries: CatalogEntry[],
  jobs: number,
  costs: number[],
  o: { runs: number; seed: number; precision: Precision; progress?: (line: string) => void },
): Promise<MutantsReport> {
  const dealt = dealByCost(costs, jobs);
  const args = (names: string[]) => [
    'mutants',
    '--only',
    names.join(','),
    '--runs',
    String(o.runs),
    '--seed',
    String(o.seed),
    '--precision',
    o.precision,
    '--jobs',
    '1',
  ];
  const results = await runJobs<MutantsReport>(
    dealt.map((items, i) => ({
      args: args(items.map((k) => (entries[k] as CatalogEntry).name)),
      label: `job ${i + 1} of ${jobs}`,
    })),
    { ...(o.progress === undefined ? {} : { progress: o.progress }), available: ['loops'] },
  );
  const rows = results.flatMap((r, i): MutantRow[] => {
    const mine = (dealt[i] ?? []).map((k) => entries[k] as CatalogEntry);
    if ('report' in r) return r.report.mutants;
    return mine.map((e) => ({
      name: e.name,
      description: e.description,
      killed: false,
      caughtBy: [`not hunted: ${r.error}`],
      counterexample: null,
      ms: 0,
    }));
  });
  const order = (name: string) => entries.findIndex((e) => e.name === name);
  rows.sort((a, b) => order(a.name) - order(b.name));
  return { ok: rows.every((m) => m.killed), precision: o.precision, runs: o.runs, seed: o.seed, mutants: rows };
}
