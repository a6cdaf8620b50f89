/**
 * runCheck: the fixed suite of `rnn-harness check` as a function that returns what the CLI prints and
 * writes. Every backend runs Problem 2, the suite's cases against `loops`, and the peers' expectations,
 * within what it declares; what it leaves out is a row of its own. A backend that cannot be created,
 * throws, hangs or answers with the wrong shape fails its rows, and the run goes on.
 */
import { capabilityGaps, describeCapabilities } from '../core/capabilities.js';
import { likelyCauses } from '../catalog/signature.js';
import {
  checkBackend,
  CHECK_SEED,
  checkCases,
  checkGatedPeers,
  checkPeers,
  checkProblem2,
  failedRow,
  gapRow,
  problem2Case,
  type CheckCase,
  type CheckRow,
} from '../check/suite.js';
import { outsideCapabilities } from '../check/arbitraries.js';
import { checkOracleRows } from '../oracle/rows.js';
import { checkDirectionalLarge, DirectionalCache, largeCases } from '../oracle/large.js';
import { createBackend } from '../registry/registry.js';
import type { BackendEntry } from '../registry/types.js';
import type { Cell, RnnBackend } from '../core/rnn.js';
import {
  cellQuantity,
  checkCostKind,
  checkedCells,
  checkPlan,
  estimatedCheckCost,
  ORACLE,
  type CheckOptions,
  type CheckReport,
} from './check-plan.js';
import { runCheckInJobs } from './check-jobs.js';
import { recordCosts } from './costs.js';
import { dealByCost } from './deal.js';
import { rendererOf } from './guard.js';
import { checkJobs } from './jobs.js';
import { closeSubject, errorMessage, openSubject, selectBackends } from './select.js';

export type { CheckOptions, CheckReport } from './check-plan.js';

type Context = {
  reference: RnnBackend;
  directional: DirectionalCache;
  /** The cases of each cell checked. */
  suites: { cell: Cell; cases: CheckCase[] }[];
  /** The large cases of each cell checked (--large), none otherwise. */
  large: Partial<Record<Cell, CheckCase[]>>;
  timeoutMs: number | undefined;
  progress: (line: string) => void;
};

/**
 * One backend's rows for each cell: Problem 2 (the SimpleRNN), the suite against loops, the large cases
 * (--large), the peers, and what it leaves out.
 */
async function checkEntry(entry: BackendEntry, ctx: Context, report: CheckReport): Promise<void> {
  const { reference, large } = ctx;
  const count = ctx.suites.reduce((n, s) => n + s.cases.length, 0);
  ctx.progress(`checking ${entry.name} on ${count} cases and the peers' expectations…`);
  let subject;
  try {
    subject = await openSubject(entry, {
      forCheck: true,
      ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    });
  } catch (e) {
    report.rows.push(failedRow(entry.name, 'create', errorMessage(e)));
    return;
  }
  const { backend, capabilities: caps } = subject;
  report.capabilities[entry.name] = describeCapabilities(caps);
  const renderer = rendererOf(backend);
  if (renderer !== undefined) report.renderers[entry.name] = renderer;
  const rows: CheckRow[] = [];
  let left = 0;
  for (const { cell, cases } of ctx.suites) {
    if (!caps.cells.includes(cell)) continue; // a row of its own below: not supported
    const cellRows: CheckRow[] = [];
    const problem2Left = cell === 'rnn' && outsideCapabilities(caps, problem2Case()) !== undefined;
    if (cell === 'rnn' && !problem2Left) cellRows.push(await checkProblem2(backend));
    if (entry.name !== 'loops') {
      const suite = await checkBackend(backend, reference, cases, caps);
      cellRows.push(...suite);
      const causes = likelyCauses(
        suite,
        suite.filter(checked).map((r) => r.quantity),
        cell,
      );
      if (causes.length > 0) report.likelyCauses[entry.name] = [...(report.likelyCauses[entry.name] ?? []), ...causes];
    }
    const big = large[cell] ?? [];
    if (big.length > 0) {
      ctx.progress(`checking ${entry.name} at the bench's shapes: agreement with loops and the directional oracle…`);
      if (entry.name !== 'loops') cellRows.push(...(await checkBackend(backend, reference, big, caps)));
      cellRows.push(...(await checkDirectionalLarge(backend, ctx.directional, big, caps)));
    }
    const peers = cell === 'rnn' ? await checkPeers(backend, caps) : await checkGatedPeers(backend, cell, caps);
    cellRows.push(...peers.rows);
    left +=
      [...cases, ...big].filter(({ c }) => outsideCapabilities(caps, c) !== undefined).length +
      peers.left +
      (problem2Left ? 1 : 0);
    rows.push(...cellRows.map((r) => ({ ...r, quantity: cellQuantity(cell, r.quantity) })));
  }
  capabilityGaps(
    caps,
    ctx.suites.map((s) => s.cell),
  ).forEach((g, i) => rows.push(gapRow(entry.name, g, i === 0 && left > 0 ? ` (${left} cases left out)` : '')));
  for (const r of rows) r.backend = entry.name;
  report.rows.push(...rows);
  const warning = await closeSubject(subject);
  if (warning !== undefined) report.warnings.push(warning);
}

const checked = (r: CheckRow): boolean => r.status === 'pass' || r.status === 'fail';

/**
 * `rnn-harness check` as a function: runs the fixed suite on the backends and returns what the command prints and
 * writes.
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckReport> {
  const jobs = checkJobs('runCheck', options.jobs);
  if (jobs !== 1 && options.shard === undefined) {
    // undefined when the check cannot be split (one part, or a backend a child could not load).
    const inJobs = await runCheckInJobs({ ...options, jobs });
    if (inJobs !== undefined) return inJobs;
  }
  const progress = options.progress ?? (() => {});
  const selection = await selectBackends('runCheck', options.backends);
  const cells = checkedCells('runCheck', options.cell);
  const suites = cells.map((cell) => ({ cell, cases: checkCases(CHECK_SEED, cell) }));
  const large = Object.fromEntries(
    options.large === true ? cells.map((cell) => [cell, largeCases(undefined, cell)]) : [],
  ) as Context['large'];
  const plan = checkPlan(selection.run.map((e) => e.name));
  const mine = shardOf(plan, options.shard, options.costs);
  const reference = await createBackend('loops');
  const ctx: Context = {
    reference,
    directional: new DirectionalCache(reference),
    suites,
    large,
    timeoutMs: options.timeoutMs,
    progress,
  };
  const report: CheckReport = {
    ok: false,
    cases: [
      ...suites.flatMap((s) => s.cases.map((c) => cellQuantity(s.cell, c.name))),
      ...cells.flatMap((cell) => (large[cell] ?? []).map((c) => c.name)),
    ],
    plan,
    rows: [],
    capabilities: {},
    oracleSkipped: [],
    unavailable: selection.unavailable,
    renderers: {},
    warnings: [],
    likelyCauses: {},
    times: {},
  };
  const timed = async (part: string, work: () => Promise<void>) => {
    const start = performance.now();
    await work();
    (report.times as Record<string, number>)[part] = Math.round(performance.now() - start);
  };
  try {
    for (const entry of selection.run)
      if (mine.has(entry.name)) await timed(entry.name, () => checkEntry(entry, ctx, report));
    if (mine.has(ORACLE)) {
      await timed(ORACLE, async () => {
        progress(`checking loops' gradients against finite differences…`);
        for (const { cell, cases } of suites) {
          const oracle = await checkOracleRows(reference, cases);
          report.rows.push(...oracle.rows.map((r) => ({ ...r, quantity: cellQuantity(cell, r.quantity) })));
          report.oracleSkipped.push(...oracle.skipped.map((c) => cellQuantity(cell, c)));
        }
      });
    }
  } finally {
    await reference.dispose();
  }
  const failed = report.rows.some((r) => r.status === 'fail');
  report.ok = !failed && !(selection.requested && selection.unavailable.length > 0);
  // What each part took, for dealing the next check's jobs (run/costs.ts).
  await recordCosts(checkCostKind(options), report.times ?? {});
  return report;
}

/** The parts of the plan this run covers: all, or its shard's, dealt by cost (given, or estimated). */
function shardOf(plan: readonly string[], shard: CheckOptions['shard'], costs?: readonly number[]): Set<string> {
  if (shard === undefined) return new Set(plan);
  const c = costs !== undefined && costs.length === plan.length ? costs : plan.map(estimatedCheckCost);
  return new Set((dealByCost(c, shard.count)[shard.index - 1] ?? []).map((i) => plan[i] as string));
}
