/**
 * `fuzz --jobs N`: the campaign's properties dealt to N child processes by what they cost (measured in
 * past runs, else estimated), each child a shard of the one campaign with the same seed, the shards'
 * reports merged as `rnn-harness merge` merges them. What is printed and written is what one process
 * would have: the same properties, cases, failures and replay lines, in the same order.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isReloadable } from '../registry/registry.js';
import type { BackendEntry } from '../registry/types.js';
import { costSizes, fuzzCostKey, readCosts } from './costs.js';
import { estimatedCost } from './deal.js';
import { campaignPlan, dealPlan, type FuzzOptions, type FuzzReport, type PlanItem } from './fuzz-plan.js';
import { jobsFor, runJobs, type Job } from './jobs.js';
import { mergeFuzz } from './merge.js';
import { selectBackends } from './select.js';

/** Whether a child process has every backend of the run under its name (run/select.ts: reloadable). */
const loadable = (entries: readonly BackendEntry[]): boolean => entries.every(isReloadable);

/**
 * Runs the campaign in `options.jobs` children; undefined when it cannot be split: a single property, or
 * a backend given as an entry that no child could load (the caller then runs it in this process).
 */
export async function runFuzzInJobs(
  options: FuzzOptions & { runs: number; seed: number },
): Promise<FuzzReport | undefined> {
  const sizes = options.sizes ?? 'small';
  const cell = options.cell ?? 'rnn';
  const selection = await selectBackends('runFuzz', options.backends);
  const wanted = (p: string) => options.property === undefined || options.property === p;
  const plan = campaignPlan(
    selection.run.filter((e) => e.name !== 'loops').map((e) => e.name),
    wanted,
  );
  const measured = await readCosts('fuzz');
  const costs = plan.map(
    (p) =>
      (measured[fuzzCostKey(costSizes(sizes, cell), p.name, p.backend)] ?? estimatedCost(p.name, p.backend)) *
      options.runs,
  );
  const count = jobsFor(
    options.jobs ?? 1,
    plan.length,
    costs.reduce((a, c) => a + c, 0),
  );
  if (count < 2 || !loadable(selection.run)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-fuzz-jobs-'));
  try {
    const costsFile = join(dir, 'costs.json');
    await writeFile(costsFile, JSON.stringify(costs));
    const names = options.backends?.map((ref) => (typeof ref === 'string' ? ref : ref.name));
    const common = [
      'fuzz',
      '--seed',
      String(options.seed),
      '--runs',
      String(options.runs),
      '--sizes',
      sizes,
      ...(cell === 'rnn' ? [] : ['--cell', cell]),
      '--costs',
      costsFile,
      ...(names === undefined ? [] : ['--backends', names.join(',')]),
      ...(options.property === undefined ? [] : ['--property', options.property]),
      ...(options.timeoutMs === undefined ? [] : ['--timeout-ms', String(options.timeoutMs)]),
      ...(options.shrink === false ? ['--no-shrink'] : []),
      ...(options.replayArgs ?? []),
    ];
    const jobs: Job[] = Array.from({ length: count }, (_, i) => ({
      args: [...common, '--shard', `${i + 1}/${count}`],
      label: `job ${i + 1} of ${count}`,
    }));
    const stallMs = 2 * (options.timeoutMs ?? 60_000) + 5_000;
    const results = await runJobs<FuzzReport>(jobs, {
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      stallMs,
      available: selection.run.map((e) => e.name),
    });
    const dealt = dealPlan(plan, count, costs);
    const parts = results.map((r, i) => ({
      dir: r.job.label,
      report:
        'report' in r
          ? r.report
          : failedShard(options, sizes, plan, dealt[i] ?? [], { index: i + 1, count }, r.error, selection.unavailable),
    }));
    const merged = mergeFuzz(parts);
    // What --jobs 1 lists per backend in plan order, the shards listed shard by shard.
    const order = (backend: string) => plan.findIndex((p) => p.backend === backend);
    merged.notRun.sort((a, b) => order(a.backend) - order(b.backend));
    merged.ok = merged.ok && !(selection.requested && selection.unavailable.length > 0);
    return merged;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The report of a shard whose child crashed or hung: each of its properties a failure with the reason. */
function failedShard(
  options: FuzzOptions & { runs: number; seed: number },
  sizes: FuzzReport['sizes'],
  plan: PlanItem[],
  items: number[],
  shard: { index: number; count: number },
  error: string,
  unavailable: FuzzReport['unavailable'],
): FuzzReport {
  return {
    ok: false,
    runs: options.runs,
    seed: options.seed,
    sizes,
    ...(options.cell === undefined || options.cell === 'rnn' ? {} : { cell: options.cell }),
    shard,
    plan,
    properties: [],
    notRun: [],
    unavailable,
    warnings: [],
    maxRssMB: 0,
    failures: items.map((i) => {
      const p = plan[i] as PlanItem;
      return {
        property: p.name,
        backend: p.backend,
        seed: options.seed,
        path: '',
        shape: 'none',
        error: `not run: ${error}`,
        runs: 0,
        shrinks: 0,
        counterexample: {},
        replay: '',
      };
    }),
  };
}
