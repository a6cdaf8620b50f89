/**
 * runFuzz: the properties of `rnn-harness fuzz` on random shapes, as a function that returns what the CLI
 * prints and writes. The oracle property checks loops against finite differences; every other backend
 * runs agreement (and saturation, when it supports tanh) on cases within its declarations. A failure is
 * shrunk, and comes back with its seed, path and a command that replays exactly that case.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { capabilityGaps } from '../core/capabilities.js';
import { caseToJson, describeCase, type RnnCase } from '../check/arbitraries.js';
import {
  agreementProperty,
  checkAgreement,
  Disagreement,
  GATED_SATURATED,
  saturationProperty,
  type FailureWatch,
} from '../check/properties.js';
import { oracleProperty } from '../oracle/properties.js';
import {
  LARGE_RELU_NOTE,
  largeAgreementProperty,
  largeOracleProperty,
  largeSaturationProperty,
} from '../oracle/large-properties.js';
import { childDetails, describeValue, invalidArgument } from '../core/errors.js';
import { createBackend } from '../registry/registry.js';
import type { BackendEntry } from '../registry/types.js';
import { costSizes, fuzzCostKey, recordCosts } from './costs.js';
import { runFuzzInJobs } from './fuzz-jobs.js';
import {
  campaignPlan,
  dealPlan,
  FUZZ_PROPERTIES,
  FUZZ_SIZES,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzProperty,
  type FuzzReport,
  type PlanItem,
} from './fuzz-plan.js';
import { checkJobs } from './jobs.js';
import { CELLS, type Cell, type RnnBackend } from '../core/rnn.js';
import { hungReason } from './guard.js';
import { closeSubject, errorMessage, openSubject, selectBackends, type Subject } from './select.js';
import { shellLine } from '../core/shell.js';

export {
  FUZZ_PROPERTIES,
  FUZZ_SIZES,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzProperty,
  type FuzzReport,
  type FuzzSizes,
} from './fuzz-plan.js';

/** This process's memory now, and the most it has held, in MB: what a long campaign watches for a leak. */
export function memoryUse(): { rssMB: number; heapMB: number; maxRssMB: number } {
  const m = process.memoryUsage();
  return {
    rssMB: Math.round(m.rss / 1e6),
    heapMB: Math.round(m.heapUsed / 1e6),
    maxRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
  };
}

/** Seconds between progress lines with the process's memory, on a property that runs that long. */
const PROGRESS_EVERY_MS = 5000;

type Target = {
  name: FuzzProperty;
  backend: RnnBackend;
  property: fc.IAsyncPropertyWithHooks<[RnnCase]>;
  watch?: FailureWatch;
  subject?: Subject;
};

function checkOptions(o: FuzzOptions): { runs: number; seed: number } {
  const runs = o.runs ?? 100;
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw invalidArgument('runFuzz', 'options.runs', 'an integer >= 1', describeValue(o.runs));
  const seed = o.seed ?? randomInt(2 ** 31 - 1);
  if (!Number.isSafeInteger(seed))
    throw invalidArgument('runFuzz', 'options.seed', 'an integer', describeValue(o.seed));
  if (o.cell !== undefined && !CELLS.includes(o.cell))
    throw invalidArgument('runFuzz', 'options.cell', `one of ${CELLS.join(', ')}`, describeValue(o.cell));
  if (o.property !== undefined && !FUZZ_PROPERTIES.includes(o.property)) {
    throw invalidArgument(
      'runFuzz',
      'options.property',
      FUZZ_PROPERTIES.map((p) => `'${p}'`).join(', '),
      describeValue(o.property),
    );
  }
  if (o.sizes !== undefined && !FUZZ_SIZES.includes(o.sizes)) {
    throw invalidArgument(
      'runFuzz',
      'options.sizes',
      FUZZ_SIZES.map((p) => `'${p}'`).join(' or '),
      describeValue(o.sizes),
    );
  }
  const sh = o.shard;
  if (
    sh !== undefined &&
    (typeof sh !== 'object' ||
      sh === null ||
      !Number.isSafeInteger(sh.count) ||
      sh.count < 1 ||
      !Number.isSafeInteger(sh.index) ||
      sh.index < 1 ||
      sh.index > sh.count)
  ) {
    throw invalidArgument('runFuzz', 'options.shard', '{ index, count } with 1 <= index <= count', describeValue(sh));
  }
  return { runs, seed };
}

/** The plan's items this run covers: all of them, or its shard's. */
function itemsOfShard(plan: readonly PlanItem[], shard: FuzzOptions['shard'], costs?: readonly number[]): Set<string> {
  const key = (p: PlanItem) => `${p.name} ${p.backend}`;
  if (shard === undefined) return new Set(plan.map(key));
  const dealt = dealPlan(plan, shard.count, costs)[shard.index - 1] ?? [];
  return new Set(dealt.map((i) => key(plan[i] as PlanItem)));
}

/** The property of one plan item on an opened backend (small or large sizes). */
function propertyOf(
  name: FuzzProperty,
  backend: RnnBackend,
  reference: RnnBackend,
  large: boolean,
  cell: Cell,
): fc.IAsyncPropertyWithHooks<[RnnCase]> {
  if (large) {
    if (name === 'oracle') return largeOracleProperty(reference, cell);
    if (name === 'agreement') return largeAgreementProperty(backend, reference, cell);
    return largeSaturationProperty(backend, reference, cell);
  }
  if (cell !== 'rnn') {
    // A gated cell's saturation: every gate's pre-activation beyond 100, where e^a/(1 + e^a) overflows at 709.
    if (name === 'oracle') return oracleProperty(reference, { cell });
    return agreementProperty(backend, reference, { cell, ...(name === 'saturation' ? GATED_SATURATED : {}) });
  }
  if (name === 'oracle') return oracleProperty(reference);
  if (name === 'agreement') return agreementProperty(backend, reference);
  return saturationProperty(backend, reference);
}

const target = (
  name: FuzzProperty,
  backend: RnnBackend,
  property: fc.IAsyncPropertyWithHooks<[RnnCase]>,
  subject?: Subject,
): Target => {
  const watch = (property as { watch?: FailureWatch }).watch;
  return {
    name,
    backend,
    property,
    ...(watch === undefined ? {} : { watch }),
    ...(subject === undefined ? {} : { subject }),
  };
};

/**
 * Opens the backends of this run's items and makes their targets; a backend that cannot be created is a
 * failure of its own, and what a backend does not declare goes to report.notRun.
 */
async function openTargets(
  others: readonly BackendEntry[],
  mine: Set<string>,
  reference: RnnBackend,
  large: boolean,
  report: FuzzReport,
  subjects: Subject[],
  timeoutMs: number | undefined,
  cell: Cell,
): Promise<Target[]> {
  const targets: Target[] = mine.has('oracle loops')
    ? [target('oracle', reference, propertyOf('oracle', reference, reference, large, cell))]
    : [];
  for (const entry of others) {
    const agreement = mine.has(`agreement ${entry.name}`);
    const saturation = mine.has(`saturation ${entry.name}`);
    if (!agreement && !saturation) continue;
    let s: Subject;
    try {
      s = await openSubject(entry, { forCheck: true, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    } catch (e) {
      report.failures.push(startFailure(entry.name, report.seed, errorMessage(e)));
      continue;
    }
    subjects.push(s);
    const gaps = capabilityGaps(s.capabilities, [cell]);
    if (!s.capabilities.cells.includes(cell)) {
      // Neither property can draw a case this backend implements.
      for (const g of gaps)
        report.notRun.push({
          property: 'agreement',
          backend: entry.name,
          reason: `${g.what}: ${g.status} (${g.reason})`,
        });
      continue;
    }
    if (agreement) {
      targets.push(target('agreement', s.backend, propertyOf('agreement', s.backend, reference, large, cell), s));
      if (large && s.backend.precision !== 'float64' && s.capabilities.activations.includes('relu'))
        report.notRun.push({ property: 'agreement on relu', backend: entry.name, reason: LARGE_RELU_NOTE });
    }
    if (saturation && (cell !== 'rnn' || s.capabilities.activations.includes('tanh')))
      targets.push(target('saturation', s.backend, propertyOf('saturation', s.backend, reference, large, cell), s));
    for (const g of gaps) {
      report.notRun.push({
        property: g.what === 'tanh' ? 'saturation, and agreement on tanh' : 'agreement',
        backend: entry.name,
        reason: `${g.what}: ${g.status} (${g.reason})`,
      });
    }
  }
  return targets;
}

/** Runs one target's property with fast-check, a line with the process's memory every few seconds. */
async function checkTarget(
  t: Target,
  parameters: fc.Parameters<[RnnCase]> & { numRuns: number },
  progress: (line: string) => void,
): Promise<fc.RunDetails<[RnnCase]>> {
  const runs = parameters.numRuns;
  progress(`${t.name} on ${t.backend.name}: running ${runs} cases…`);
  const start = performance.now();
  let cases = 0;
  let shown = start;
  const watched = t.property.beforeEach(async (previous) => {
    cases++;
    const now = performance.now();
    if (now - shown >= PROGRESS_EVERY_MS) {
      shown = now;
      const m = memoryUse();
      progress(
        `${t.name} on ${t.backend.name}: ${cases} cases run (of ${runs}, shrinking included), rss ${m.rssMB} MB, heap ${m.heapMB} MB`,
      );
    }
    await previous();
  });
  t.watch?.reset();
  return fc.check(watched, parameters);
}

/**
 * `rnn-harness fuzz` as a function: runs the properties on random shapes and returns what the command prints and
 * writes.
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const { runs, seed } = checkOptions(options);
  const jobs = checkJobs('runFuzz', options.jobs);
  if (jobs !== 1 && options.shard === undefined && options.path === undefined) {
    // undefined when the campaign is not split (too small, one property, a backend a child could not load).
    const inJobs = await runFuzzInJobs({ ...options, jobs, runs, seed });
    if (inJobs !== undefined) return inJobs;
  }
  const progress = options.progress ?? (() => {});
  const wanted = (p: FuzzProperty) => options.property === undefined || options.property === p;
  const sizes = options.sizes ?? 'small';
  const large = sizes === 'large';
  const cell = options.cell ?? 'rnn';
  const selection = await selectBackends('runFuzz', options.backends);
  const others = selection.run.filter((e) => e.name !== 'loops');
  const plan = campaignPlan(
    others.map((e) => e.name),
    wanted,
  );
  const report: FuzzReport = {
    ok: false,
    runs,
    seed,
    sizes,
    ...(cell === 'rnn' ? {} : { cell }),
    ...(options.shard === undefined ? {} : { shard: { ...options.shard } }),
    plan,
    properties: [],
    failures: [],
    notRun: [],
    unavailable: selection.unavailable,
    warnings: [],
    maxRssMB: 0,
  };
  const reference = await createBackend('loops');
  const subjects: Subject[] = [];
  const replayArgs = [
    ...(large ? ['--sizes', 'large'] : []),
    ...(cell === 'rnn' ? [] : ['--cell', cell]),
    ...(options.replayArgs ?? []),
  ];
  try {
    const targets = await openTargets(
      others,
      itemsOfShard(plan, options.shard, options.costs),
      reference,
      large,
      report,
      subjects,
      options.timeoutMs,
      cell,
    );
    for (const t of targets) {
      const start = performance.now();
      let out: fc.RunDetails<[RnnCase]>;
      try {
        out = await checkTarget(
          t,
          {
            numRuns: runs,
            seed,
            ...(options.path === undefined ? {} : { path: options.path }),
            ...(options.shrink === false ? { endOnFailure: true } : {}),
          },
          progress,
        );
      } catch (e) {
        // fast-check refuses a --path that leads nowhere in this property's cases (it was another's).
        if (options.path === undefined || !/Unable to replay/.test(errorMessage(e))) throw e;
        report.notRun.push({
          property: t.name,
          backend: t.backend.name,
          reason: `the --path given does not fit this property's cases (replay with the --property it was printed with)`,
        });
        continue;
      }
      report.properties.push({
        name: t.name,
        backend: t.backend.name,
        runs: out.numRuns,
        skipped: out.numSkips,
        ok: !out.failed,
        ms: Math.round(performance.now() - start),
      });
      if (!out.failed) continue;
      const failure = failureOf(t, out, replayArgs);
      const c = out.counterexample?.[0];
      if (t.subject !== undefined && c !== undefined && hungReason(t.backend) === undefined) {
        failure.replays = await failsOnFresh(t.subject, reference, c, options.timeoutMs);
        // A failure that needs what earlier calls left behind: does the case as drawn fail on its own?
        const first = t.watch?.first;
        if (failure.replays === false && failure.original !== undefined && first !== undefined) {
          failure.original.replays = await failsOnFresh(t.subject, reference, first.case, options.timeoutMs);
        }
      }
      report.failures.push(failure);
    }
  } finally {
    for (const s of subjects) {
      const w = await closeSubject(s);
      if (w !== undefined) report.warnings.push(w);
    }
    await reference.dispose();
  }
  report.ok = report.failures.length === 0 && !(selection.requested && selection.unavailable.length > 0);
  report.maxRssMB = memoryUse().maxRssMB;
  // What each property cost per case, for dealing the next campaign's jobs (run/costs.ts).
  await recordCosts(
    'fuzz',
    Object.fromEntries(
      report.properties
        .filter((p) => p.runs > 0)
        .map((p) => [fuzzCostKey(costSizes(sizes, cell), p.name, p.backend), p.ms / p.runs]),
    ),
  );
  return report;
}

/** Whether the counterexample also fails on a backend created afresh (undefined when none can be made). */
async function failsOnFresh(
  s: Subject,
  reference: RnnBackend,
  c: RnnCase,
  timeoutMs: number | undefined,
): Promise<boolean | undefined> {
  let fresh: Subject;
  try {
    fresh = await openSubject(s.entry, { forCheck: true, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  } catch {
    return undefined;
  }
  try {
    await checkAgreement(fresh.backend, reference, c);
    return false;
  } catch {
    return true;
  } finally {
    await closeSubject(fresh);
  }
}

function startFailure(backend: string, seed: number, error: string): FuzzFailure {
  return {
    property: 'create',
    backend,
    seed,
    path: '',
    shape: 'none',
    error,
    runs: 0,
    shrinks: 0,
    counterexample: {},
    replay: '',
  };
}

function failureOf(t: Target, out: fc.RunDetails<[RnnCase]>, loadArgs: readonly string[]): FuzzFailure {
  const c = out.counterexample?.[0];
  const e = out.errorInstance;
  // A backend that hung failed every later call at once: the hang is the failure to report.
  const error = hungReason(t.backend) ?? (e instanceof Error ? e.message : String(e));
  const path = out.counterexamplePath ?? '';
  const first = t.watch?.first;
  const shrunk = c !== undefined && first !== undefined && first.case !== c;
  const replayOf = (at: string, more: string[] = []) =>
    shellLine([
      'rnn-harness',
      'fuzz',
      '--seed',
      String(out.seed),
      '--path',
      at,
      ...more,
      '--property',
      t.name,
      '--backends',
      t.backend.name,
      ...loadArgs,
    ]);
  return {
    property: t.name,
    backend: t.backend.name,
    seed: out.seed,
    path,
    shape: c ? describeCase(c) : 'none',
    error,
    runs: out.numRuns,
    shrinks: out.numShrinks,
    counterexample: c ? caseToJson(c) : {},
    replay: replayOf(path),
    ratio: e instanceof Disagreement ? e.ratio : Infinity,
    ...(e instanceof Disagreement && e.worst !== undefined ? { worst: { quantity: e.quantity, ...e.worst } } : {}),
    ...(shrunk
      ? {
          original: {
            shape: describeCase(first.case),
            error: first.error,
            ratio: first.ratio,
            counterexample: caseToJson(first.case),
            replay: replayOf(path.split(':')[0] ?? '', ['--no-shrink']),
          },
        }
      : {}),
    ...childDetails(e),
  };
}
