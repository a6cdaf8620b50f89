/**
 * runBench: `rnn-harness bench` as a function that returns what bench.json holds. Every backend is
 * created, guarded and timed side by side (src/bench/runner.ts); one that cannot start, throws, hangs or
 * answers with the wrong shape becomes a failure with its reason, and the others are still timed.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import {
  compareResults,
  confirmComparison,
  DEFAULT_MIN_CHANGE_PCT,
  flaggedGroups,
  type BaselinePeak,
  type BaselineResult,
  type CompareReport,
} from '../bench/compare.js';
import { BENCH_OPS, PEAK_N, timeBackends, type BenchOp, type BenchRun } from '../bench/runner.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import type { BenchEnvironment, BenchReport } from '../bench/report.js';
import type { MatmulProbe } from '../registry/types.js';
import { ACTIVATIONS, type Activation, type Dims, type RnnBackend } from '../core/rnn.js';
import { CELLS, type Cell } from '../core/kinds.js';
import { engineOf, rendererOf } from './guard.js';
import { closeSubject, errorMessage, openSubject, selectBackends, type BackendRef, type Subject } from './select.js';
import { isReloadable } from '../registry/registry.js';
import { runJobs } from './jobs.js';
import { cpuTimes, stealPctSince } from '../bench/steal.js';

/** `quick`: the notebook's case and the reference shape. */
export const QUICK_SHAPES: Dims[] = [
  { B: 1, T: 3, F: 2, H: 4 },
  { B: 32, T: 50, F: 32, H: 128 },
];

/** The notebook's case, the reference shape, a larger one, the MNIST-rows case and a long sequence. */
export const DEFAULT_SHAPES: Dims[] = [
  { B: 1, T: 3, F: 2, H: 4 },
  { B: 32, T: 50, F: 32, H: 128 },
  { B: 64, T: 100, F: 64, H: 256 },
  { B: 128, T: 28, F: 28, H: 128 },
  { B: 8, T: 500, F: 16, H: 64 },
];

/** Options of runBench: which backends, shapes and ops, how many rounds, a baseline to compare with. */
export type BenchOptions = {
  /** Backend names or entries (default: every registered backend that runs here). */
  backends?: readonly BackendRef[];
  /** QUICK_SHAPES, 1 round, 1 s per measurement, unless given. */
  quick?: boolean;
  shapes?: Dims[];
  ops?: readonly BenchOp[];
  rounds?: number;
  /** benchmark.js maxTime per measurement, in seconds. */
  maxTimeS?: number;
  /** Default tanh; backends that do not support it are listed in notSupported. */
  activation?: Activation;
  /** The cell to time (default 'rnn'); backends that do not declare it are listed in notSupported. */
  cell?: Cell;
  timeoutMs?: number;
  /** A baseline's results to compare with (see src/bench/compare.ts). */
  compare?: {
    baseline: BaselineResult[];
    peaks?: BaselinePeak[];
    file: string;
    minChangePct?: number;
    /** Steal (in %) at or above which a second measurement confirms nothing (default STEAL_LIMIT_PCT, 5). */
    maxStealPct?: number;
    /** The steal the baseline's run saw: at or above maxStealPct, nothing is called faster than it. */
    baselineStealPct?: number;
  };
  /** Called before each measurement. */
  progress?: (done: number, total: number, what: string) => void;
  /**
   * Words that load the backends again in a child process, e.g. ['--plugin', './mine.mjs']: with them (or
   * with built-in backends only), a change that --compare flags is measured again in a new process.
   */
  replayArgs?: readonly string[];
};

/** Versions of the engines and tools a benchmark depends on, as installed. */
async function packageVersions(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of ['benchmark', 'piscina', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'gpu.js']) {
    out[name] = 'not installed';
    let dir: string;
    try {
      dir = dirname(require.resolve(name));
    } catch {
      continue;
    }
    // Walk up from the entry point: some packages' `exports` do not expose package.json.
    for (; dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name && pkg.version !== undefined) {
          out[name] = pkg.version;
          break;
        }
      } catch {
        // no package.json here: keep walking up
      }
    }
  }
  return out;
}

function positive(name: string, v: number | undefined, fallback: number, integer: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) {
    throw invalidArgument(
      'runBench',
      `options.${name}`,
      integer ? 'an integer >= 1' : 'a number > 0',
      describeValue(v),
    );
  }
  return v;
}

/**
 * The comparison with the baseline, if any: the rows it flags are measured again (`timeAgain`, one shape
 * and op at a time) and keep their verdict only when the second measurement agrees (src/bench/compare.ts).
 */
async function compareAndConfirm(
  options: BenchOptions,
  run: BenchRun,
  timeAgain: (groups: { shape: Dims; op: BenchOp }[]) => Promise<BenchRun & { stealPct?: number | undefined }>,
): Promise<CompareReport | undefined> {
  const cmp = options.compare;
  if (cmp === undefined) return undefined;
  const compare = (r: BenchRun) =>
    compareResults(cmp.baseline, r.results, cmp.minChangePct ?? DEFAULT_MIN_CHANGE_PCT, cmp.file, {
      baseline: cmp.peaks ?? [],
      current: r.peaks.length > 0 ? r.peaks : run.peaks,
    });
  const first = compare(run);
  const flagged = flaggedGroups(first);
  if (flagged.length === 0) return first;
  const again = await timeAgain(flagged);
  return confirmComparison(first, compare(again), again.stealPct, cmp.maxStealPct, cmp.baselineStealPct);
}

/**
 * Replaces every subject by a new instance of its backend (the old one disposed first, so that a backend
 * holding a process or a GL context never has two); one that cannot be created again is left out of the
 * second measurement (and of `subjects`), with the reason in `failures`.
 */
async function reopenSubjects(
  subjects: Subject[],
  timeoutMs: number | undefined,
  failures: BenchReport['failures'],
): Promise<RnnBackend[]> {
  const kept: Subject[] = [];
  for (const s of subjects) {
    const warning = await closeSubject(s);
    if (warning !== undefined) failures.push({ backend: s.entry.name, reason: warning });
    try {
      kept.push(await openSubject(s.entry, timeoutMs === undefined ? {} : { timeoutMs }));
    } catch (e) {
      failures.push({
        backend: s.entry.name,
        reason: `could not be created again to confirm a change: ${errorMessage(e)}`,
      });
    }
  }
  subjects.splice(0, subjects.length, ...kept);
  return kept.map((s) => s.backend);
}

type Timing = { rounds: number; maxTimeS: number; activation: Activation; cell: Cell };
type Groups = { shape: Dims; op: BenchOp }[];

/** Every shape and op of `groups`, once each. */
function groupAxes(groups: Groups): { shapes: Dims[]; ops: BenchOp[] } {
  const shapes = new Map(groups.map((g) => [`${g.shape.B}x${g.shape.T}x${g.shape.F}x${g.shape.H}`, g.shape]));
  return { shapes: [...shapes.values()], ops: BENCH_OPS.filter((op) => groups.some((g) => g.op === op)) };
}

/** Only the results of `run` in `groups` (a run of their shapes times their ops holds more). */
function onlyGroups(run: BenchRun, groups: Groups): BenchRun {
  const same = (a: Dims, b: Dims) => a.B === b.B && a.T === b.T && a.F === b.F && a.H === b.H;
  return { ...run, results: run.results.filter((r) => groups.some((g) => g.op === r.op && same(g.shape, r.shape))) };
}

/** The flagged groups timed again on new instances of every backend, in this process. */
async function timeOnNewInstances(
  subjects: Subject[],
  groups: Groups,
  timing: Timing & { probes: MatmulProbe[] },
  options: BenchOptions,
  failures: BenchReport['failures'],
): Promise<BenchRun & { stealPct?: number | undefined }> {
  const fresh = await reopenSubjects(subjects, options.timeoutMs, failures);
  const again: BenchRun = { results: [], peaks: [], failures: [] };
  const start = cpuTimes();
  for (const { shape, op } of groups) {
    const r = await timeBackends(
      { ...timing, backends: fresh, shapes: [shape], ops: [op] },
      options.progress && ((done, total, what) => options.progress?.(done, total, `confirming: ${what}`)),
    );
    again.results.push(...r.results);
    again.peaks.push(...r.peaks);
  }
  return { ...again, stealPct: stealPctSince(start) };
}

/**
 * The flagged groups timed again by `rnn-harness bench` in a child process, with the same backends and
 * settings; a child that fails leaves the first verdicts unconfirmed (no results), with the reason in
 * `failures`.
 */
async function timeInNewProcess(
  options: BenchOptions,
  groups: Groups,
  timing: Timing,
  available: string[],
  failures: BenchReport['failures'],
): Promise<BenchRun & { stealPct?: number | undefined }> {
  const { shapes, ops } = groupAxes(groups);
  const names = options.backends?.map((ref) => (typeof ref === 'string' ? ref : ref.name));
  const args = [
    'bench',
    '--shapes',
    shapes.map((s) => `${s.B}x${s.T}x${s.F}x${s.H}`).join(','),
    '--ops',
    ops.join(','),
    '--rounds',
    String(timing.rounds),
    '--max-time',
    String(timing.maxTimeS),
    '--activation',
    timing.activation,
    '--cell',
    timing.cell,
    ...(names === undefined ? [] : ['--backends', names.join(',')]),
    ...(options.timeoutMs === undefined ? [] : ['--timeout-ms', String(options.timeoutMs)]),
    ...(options.replayArgs ?? []),
  ];
  const [outcome] = await runJobs<BenchReport>([{ args, label: 'a new process' }], {
    available,
    ...(options.progress === undefined
      ? {}
      : { progress: (line) => options.progress?.(0, 1, `confirming in ${line}`) }),
  });
  if (outcome === undefined || 'error' in outcome) {
    failures.push({
      backend: 'bench --compare',
      reason: `could not confirm a change in a new process: ${outcome?.error ?? 'no result'}`,
    });
    return { results: [], peaks: [], failures: [] };
  }
  return { ...onlyGroups(outcome.report, groups), stealPct: outcome.report.environment.stealPct };
}

/** The fewest rounds of the second measurement of a flagged change (bench --compare). */
const CONFIRM_ROUNDS = 3;

/**
 * `rnn-harness bench` as a function: times the backends side by side and returns what the command prints and writes.
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true;
  const shapes = options.shapes ?? (quick ? QUICK_SHAPES : DEFAULT_SHAPES);
  const ops = options.ops ?? BENCH_OPS;
  const rounds = positive('rounds', options.rounds, quick ? 1 : 2, true);
  const maxTimeS = positive('maxTimeS', options.maxTimeS, quick ? 1 : 2, false);
  const activation = options.activation ?? 'tanh';
  if (!ACTIVATIONS.includes(activation))
    throw invalidArgument('runBench', 'options.activation', "'tanh' or 'relu'", describeValue(activation));
  const cell = options.cell ?? 'rnn';
  if (!CELLS.includes(cell))
    throw invalidArgument('runBench', 'options.cell', "'rnn', 'lstm' or 'gru'", describeValue(cell));
  const selection = await selectBackends('runBench', options.backends);
  const subjects: Subject[] = [];
  const probes: MatmulProbe[] = [];
  const probed = new Set<unknown>();
  const failures: BenchReport['failures'] = [];
  const notSupported: { backend: string; reason: string }[] = [];
  let run;
  let stealPct: number | undefined;
  let comparison: CompareReport | undefined;
  try {
    for (const entry of selection.run) {
      try {
        const s = await openSubject(entry, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
        const caps = s.capabilities;
        // A gated cell has no activation to choose; a SimpleRNN needs the run's.
        const gap = !caps.cells.includes(cell)
          ? `${cell} not supported (declares cells: ${caps.cells.join(', ')})`
          : cell === 'rnn' && !caps.activations.includes(activation)
            ? `${activation} not supported (declares activations: ${caps.activations.join(', ')})`
            : undefined;
        if (gap === undefined) subjects.push(s);
        else {
          notSupported.push({ backend: entry.name, reason: gap });
          await closeSubject(s);
        }
      } catch (e) {
        failures.push({ backend: entry.name, reason: `could not be started: ${errorMessage(e)}` });
        continue;
      }
      try {
        // A variant (NAME@key=value) shares its base's probe: one engine, timed once.
        if (entry.matmulProbe !== undefined && !probed.has(entry.matmulProbe)) {
          probed.add(entry.matmulProbe);
          probes.push(await entry.matmulProbe(PEAK_N));
        }
      } catch (e) {
        failures.push({ backend: entry.name, reason: `matrix-multiply probe could not be set up: ${errorMessage(e)}` });
      }
    }
    const backends: RnnBackend[] = subjects.map((s) => s.backend);
    const start = cpuTimes();
    run = await timeBackends({ backends, shapes, ops, rounds, maxTimeS, probes, activation, cell }, options.progress);
    stealPct = stealPctSince(start);
    // The second measurement takes at least CONFIRM_ROUNDS rounds: it times only the flagged groups, and one
    // round left a real 2x slowdown measured again at +57 % (threshold 70 %) here.
    const timing = { rounds: Math.max(rounds, CONFIRM_ROUNDS), maxTimeS, activation, cell };
    comparison = await compareAndConfirm(options, run, async (groups) =>
      // The second measurement runs in a new process when a child can load every backend (a process can
      // stay in a slow state of its own: loops' train step here kept 95-115 ms or 140-185 ms for a
      // process's whole life), else on new instances in this one.
      selection.run.every(isReloadable)
        ? timeInNewProcess(
            options,
            groups,
            timing,
            selection.run.map((e) => e.name),
            failures,
          )
        : timeOnNewInstances(
            subjects,
            groups,
            { ...timing, probes: backends.length < 3 ? probes : [] },
            options,
            failures,
          ),
    );
  } finally {
    for (const s of subjects) await closeSubject(s);
    for (const p of probes) await p.dispose().catch(() => undefined);
  }
  const describe = (of: (b: RnnBackend) => string | undefined) =>
    Object.fromEntries(
      subjects.flatMap((s) => {
        const r = of(s.backend);
        return r === undefined ? [] : [[s.entry.name, r]];
      }),
    );
  const renderers = describe(rendererOf);
  const engines = describe(engineOf);
  const environment: BenchEnvironment = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    rounds,
    maxTimeS,
    date: new Date().toISOString(),
    activation,
    ...(cell === 'rnn' ? {} : { cell }),
    ...(stealPct === undefined ? {} : { stealPct: Number(stealPct.toFixed(2)) }),
    packages: await packageVersions(),
    ...(Object.keys(renderers).length === 0 ? {} : { renderers }),
    ...(Object.keys(engines).length === 0 ? {} : { engines }),
  };
  return {
    environment,
    ...run,
    failures: [...failures, ...run.failures],
    notSupported,
    unavailable: selection.unavailable,
    ...(comparison === undefined ? {} : { comparison }),
  };
}
