/**
 * `check --jobs N`: the check's parts (each backend, then the oracle) dealt to N child processes by what
 * they cost (measured in past runs, else estimated), each child a shard of the check, their reports
 * merged into what one process would have written: the same rows in the same order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedRow } from '../check/suite.js';
import { isReloadable } from '../registry/registry.js';
import { checkCostKind, checkPlan, estimatedCheckCost, type CheckOptions, type CheckReport } from './check-plan.js';
import { readCosts } from './costs.js';
import { dealByCost } from './deal.js';
import { jobsFor, runJobs, type Job, type JobsOption } from './jobs.js';
import { mergeCheck } from './merge.js';
import { selectBackends } from './select.js';

/**
 * Runs the check in `options.jobs` children; undefined when it cannot be split (the caller then runs it
 * in this process): a backend given as an entry that no child could load.
 */
export async function runCheckInJobs(
  options: CheckOptions & { jobs: JobsOption; replayArgs?: readonly string[] },
): Promise<CheckReport | undefined> {
  const selection = await selectBackends('runCheck', options.backends);
  const plan = checkPlan(selection.run.map((e) => e.name));
  const kind = checkCostKind(options);
  const measured = await readCosts(kind);
  const costs = plan.map((part) => measured[part] ?? estimatedCheckCost(part) * (options.large === true ? 20 : 1));
  const count = jobsFor(
    options.jobs,
    plan.length,
    costs.reduce((a, c) => a + c, 0),
  );
  if (count < 2 || !selection.run.every(isReloadable)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-check-jobs-'));
  try {
    const costsFile = join(dir, 'costs.json');
    await writeFile(costsFile, JSON.stringify(costs));
    const names = options.backends?.map((ref) => (typeof ref === 'string' ? ref : ref.name));
    const common = [
      'check',
      '--costs',
      costsFile,
      ...(options.large === true ? ['--large'] : []),
      ...(options.cell === undefined ? [] : ['--cell', options.cell]),
      ...(names === undefined ? [] : ['--backends', names.join(',')]),
      ...(options.timeoutMs === undefined ? [] : ['--timeout-ms', String(options.timeoutMs)]),
      ...(options.replayArgs ?? []),
    ];
    const jobs: Job[] = Array.from({ length: count }, (_, i) => ({
      args: [...common, '--shard', `${i + 1}/${count}`],
      label: `job ${i + 1} of ${count}`,
    }));
    const stallMs = 2 * (options.timeoutMs ?? 60_000) + 5_000;
    const results = await runJobs<CheckReport>(jobs, {
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      stallMs,
      available: selection.run.map((e) => e.name),
    });
    const dealt = dealByCost(costs, count);
    const parts = results.map((r, i) => {
      if ('report' in r) return { dir: r.job.label, report: r.report };
      // A child that crashed or hung: each of its parts a failed row with the reason.
      const rows = (dealt[i] ?? []).map((k) => failedRow(plan[k] as string, 'job', r.error));
      return {
        dir: r.job.label,
        report: {
          ok: false,
          cases: [],
          plan,
          rows,
          capabilities: {},
          oracleSkipped: [],
          unavailable: selection.unavailable,
          renderers: {},
          warnings: [],
          likelyCauses: {},
        },
      };
    });
    const merged = mergeCheck(parts);
    merged.ok = merged.ok && !(selection.requested && selection.unavailable.length > 0);
    return merged;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
