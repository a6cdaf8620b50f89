/**
 * `bench --compare BASELINE.json`: this run's times against a saved run's, one row per backend, shape and
 * op present in both. A change is called only when it is real; in doubt the verdict is 'same' (no change).
 *
 * 1. The machine's own drift is taken out. The backends of one shape and op are timed in the same
 *    interleaved rounds, so a busier host slows them together: each result's ratio (median now / median
 *    then) is divided by the median ratio of its group (the same shape and op) when the group has at
 *    least 3 backends; with fewer, by the median ratio of the machine-limit probes both runs timed (the
 *    engines' 512x512 products); with neither, by nothing. What is left, `net`, is how this backend moved
 *    against the others. A change that slows every backend alike cannot be told from a busier machine in
 *    two runs, and is not called.
 * 2. The samples must differ by a rank test: benchmark.js's own Mann–Whitney U comparison (95 %), on this
 *    run's samples divided by the drift against the baseline's.
 * 3. The net change must exceed the threshold: the larger of `minChangePct` and the noise both runs
 *    measured themselves (√(rme₁² + rme₂²) plus the larger spread of either run's rounds), and twice
 *    `minChangePct` for a call shorter than SHORT_CALL_MS or of fewer than OVERHEAD_FLOPS, which measures
 *    the machine (JIT, garbage collection, a thread waking up) as much as the backend.
 *
 * Measured here (docs/PERFORMANCE.md): reruns of the same code with `bench --quick` moved results of
 * 32x50x32x128 by up to 1.6x net, and of 1x3x2x4 (calls of 10 µs to 5 ms) by up to 2.4x; a backend made
 * 2x slower moved by 1.7–3.2x net at 32x50x32x128. Hence the default threshold of 70 %, 140 % for the
 * shortest calls.
 *
 * 4. A change is called only when a second measurement says it too (`confirmComparison`): the shapes and
 *    ops of the flagged rows are timed again, every backend beside them, and compared by the same rule.
 *    It runs in a new process (src/run/bench.ts): a slow state of one process (a GL context whose calls
 *    stayed 4x slower for the rest of a run, loops' train step bimodal between processes) does not
 *    confirm itself. And it confirms nothing when the host took more than STEAL_LIMIT_PCT of the CPU
 *    while it ran (steal.ts): a neighbour's burst slows the backends on two threads or behind a pipe far
 *    more than the others (PyTorch's forward 2.5x, in the first measurement and the second alike).
 *
 * A baseline written before samples were kept (no `sampleMs`) is judged by its means, without the rank
 * test, and only beyond twice the threshold.
 */
import { STEAL_LIMIT_PCT } from './steal.js';
import { readFile } from 'node:fs/promises';
import Benchmark from 'benchmark';
import type { Dims } from '../core/rnn.js';
import type { Cell } from '../core/kinds.js';
import { flops, type BenchOp, type BenchResult } from './runner.js';

export type Verdict = 'regression' | 'improvement' | 'same';
export type Comparison = {
  backend: string;
  shape: Dims;
  op: BenchOp;
  /** The medians of the samples (the means, for a result without samples). */
  baselineMs: number;
  currentMs: number;
  /** currentMs / baselineMs: above 1 is slower. */
  ratio: number;
  /** The machine's drift in this result's group: the median ratio of the backends timed beside it (1: none). */
  drift: number;
  /** ratio / drift: how this backend moved against the others. */
  net: number;
  /** Whether the rank test tells the samples apart (undefined: no samples to test). */
  significant?: boolean;
  noisePct: number;
  thresholdPct: number;
  verdict: Verdict;
  /**
   * For a row the first measurement flagged: the net change and verdict of the second. The row's verdict
   * is the first one when both agree, else 'same'.
   */
  confirmation?: {
    net: number;
    verdict: Verdict;
    /** The share of the CPU the host took (steal) while the second measurement ran, when known. */
    stealPct?: number;
    /**
     * Why the second measurement could not judge the row: the host took too much CPU while it ran
     * ('steal'), or while the baseline was timed ('baseline steal': a slow baseline makes any backend
     * look faster, so a 'faster' against it is not called).
     */
    notJudged?: 'steal' | 'baseline steal';
  };
};
export type CompareReport = {
  baseline: string;
  minChangePct: number;
  /** The share of steal at or above which the second measurement confirms nothing (see steal.ts). */
  maxStealPct?: number;
  /** The steal the baseline's run saw, when it recorded it. */
  baselineStealPct?: number;
  rows: Comparison[];
  /** Results of this run with no counterpart in the baseline, as 'backend op BxTxFxH'. */
  unmatched: string[];
};

/** The fields of a bench result that a baseline must have. */
export type BaselineResult = Pick<BenchResult, 'backend' | 'shape' | 'op' | 'meanMs' | 'rme' | 'cell'> & {
  roundsMs?: number[];
  sampleMs?: number[];
};
/** A machine-limit probe of a run: its engine and mean time. */
export type BaselinePeak = { engine: string; meanMs: number };
/** A saved run as --compare reads it: its results, its probes when it timed any, and the steal it saw. */
export type Baseline = { results: BaselineResult[]; peaks: BaselinePeak[]; stealPct?: number };

export const DEFAULT_MIN_CHANGE_PCT = 70;

/** A call shorter than this (in the baseline) is judged with twice the --min-change threshold. */
export const SHORT_CALL_MS = 5;

/**
 * A call of fewer floating-point operations than this (1x3x2x4, say) is judged with twice the threshold
 * too, however long it takes: its time is the backend's fixed cost per call (a GL draw, a message to a
 * thread or a process), which the host's scheduling moves from run to run. Measured here: gpujs-headlessgl's
 * train at 1x3x2x4 took 6.5 to 34 ms in eleven runs of the same code.
 */
export const OVERHEAD_FLOPS = 10_000;

/** Whether a result is judged with twice the threshold: a short call, or one that does almost no work. */
export const isShortCall = (baselineMs: number, shape: Dims, op: BenchOp, cell?: Cell): boolean =>
  baselineMs < SHORT_CALL_MS || flops(shape, op, cell) < OVERHEAD_FLOPS;

/** A result's name in a comparison; a gated cell's results never match a SimpleRNN's. */
const key = (r: { backend: string; shape: Dims; op: string; cell?: string }) =>
  `${r.backend} ${r.op} ${r.shape.B}x${r.shape.T}x${r.shape.F}x${r.shape.H}${r.cell === undefined || r.cell === 'rnn' ? '' : ` ${r.cell}`}`;
const group = (r: { shape: Dims; op: string; cell?: string }) =>
  `${r.op} ${r.shape.B}x${r.shape.T}x${r.shape.F}x${r.shape.H}${r.cell === undefined || r.cell === 'rnn' ? '' : ` ${r.cell}`}`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

function spreadPct(rounds: number[] | undefined): number {
  if (rounds === undefined || rounds.length < 2) return 0;
  const lo = Math.min(...rounds);
  return ((Math.max(...rounds) - lo) / lo) * 100;
}

/** benchmark.js's Mann–Whitney U test: -1 when `a` is slower than `b`, 1 when faster, 0 when it cannot tell. */
const rankTest = (a: readonly number[], b: readonly number[]): number =>
  (Benchmark.prototype.compare as (this: unknown, other: unknown) => number).call(
    { stats: { sample: a } },
    { stats: { sample: b } },
  );

const hasSamples = (r: { sampleMs?: number[] }): r is { sampleMs: number[] } =>
  Array.isArray(r.sampleMs) && r.sampleMs.length > 0;

/** The median ratio of the probes both runs timed, or 1 when they share none. */
function probeDrift(
  peaks: { baseline: readonly BaselinePeak[]; current: readonly BaselinePeak[] } | undefined,
): number {
  if (peaks === undefined) return 1;
  const then = new Map(peaks.baseline.map((p) => [p.engine, p.meanMs]));
  const ratios = peaks.current.flatMap((p) => {
    const b = then.get(p.engine);
    return b === undefined || !(b > 0) ? [] : [p.meanMs / b];
  });
  return ratios.length === 0 ? 1 : median(ratios);
}

/** Compares two runs (see the module comment for the rule); `peaks`: both runs' machine-limit probes. */
export function compareResults(
  baseline: readonly BaselineResult[],
  current: readonly BenchResult[],
  minChangePct = DEFAULT_MIN_CHANGE_PCT,
  baselineName = 'baseline',
  peaks?: { baseline: readonly BaselinePeak[]; current: readonly BaselinePeak[] },
): CompareReport {
  const saved = new Map(baseline.map((r) => [key(r), r]));
  const pairs: { b: BaselineResult; c: BenchResult; ratio: number; baselineMs: number; currentMs: number }[] = [];
  const unmatched: string[] = [];
  for (const c of current) {
    const b = saved.get(key(c));
    if (b === undefined) {
      unmatched.push(key(c));
      continue;
    }
    const both = hasSamples(b) && hasSamples(c);
    const baselineMs = both ? median(b.sampleMs as number[]) : b.meanMs;
    const currentMs = both ? median(c.sampleMs as number[]) : c.meanMs;
    pairs.push({ b, c, ratio: currentMs / baselineMs, baselineMs, currentMs });
  }
  const byGroup = new Map<string, number[]>();
  for (const p of pairs) byGroup.set(group(p.c), [...(byGroup.get(group(p.c)) ?? []), p.ratio]);
  const probes = probeDrift(peaks);
  const rows = pairs.map(({ b, c, ratio, baselineMs, currentMs }): Comparison => {
    const peers = byGroup.get(group(c)) ?? [];
    const drift = peers.length >= 3 ? median(peers) : probes;
    const net = ratio / drift;
    const noisePct = Math.hypot(b.rme, c.rme) + Math.max(spreadPct(b.roundsMs), spreadPct(c.roundsMs));
    const short = isShortCall(baselineMs, c.shape, c.op, c.cell);
    const thresholdPct = Math.max(noisePct, short ? 2 * minChangePct : minChangePct);
    const samples = hasSamples(b) && hasSamples(c);
    const test = samples
      ? rankTest(
          (c.sampleMs as number[]).map((v) => v / drift),
          b.sampleMs as number[],
        )
      : 0;
    const limit = 1 + (samples ? thresholdPct : 2 * thresholdPct) / 100;
    const slower = net > limit && (!samples || test === -1);
    const faster = net < 1 / limit && (!samples || test === 1);
    return {
      backend: c.backend,
      shape: c.shape,
      op: c.op,
      baselineMs,
      currentMs,
      ratio,
      drift,
      net,
      ...(samples ? { significant: test !== 0 } : {}),
      noisePct,
      thresholdPct,
      verdict: slower ? 'regression' : faster ? 'improvement' : 'same',
    };
  });
  return { baseline: baselineName, minChangePct, rows, unmatched };
}

/** The shapes and ops of the rows a comparison flags (slower or faster), each once: what to measure again. */
export function flaggedGroups(report: CompareReport): { shape: Dims; op: BenchOp }[] {
  const seen = new Map<string, { shape: Dims; op: BenchOp }>();
  for (const r of report.rows) if (r.verdict !== 'same') seen.set(group(r), { shape: r.shape, op: r.op });
  return [...seen.values()];
}

/**
 * The first comparison with every flagged row checked against the second measurement's: the verdict
 * stands when the second says the same, else it becomes 'same'; either way the row keeps both.
 */
export function confirmComparison(
  first: CompareReport,
  second: CompareReport,
  secondStealPct?: number,
  maxStealPct = STEAL_LIMIT_PCT,
  baselineStealPct?: number,
): CompareReport {
  const again = new Map(second.rows.map((r) => [key(r), r]));
  // A second measurement the host took CPU from confirms nothing (see steal.ts); a baseline it took CPU
  // from was slow, so nothing is called faster than it.
  const busy = secondStealPct !== undefined && secondStealPct >= maxStealPct;
  const slowBaseline = baselineStealPct !== undefined && baselineStealPct >= maxStealPct;
  const rows = first.rows.map((r): Comparison => {
    if (r.verdict === 'same') return r;
    const c = again.get(key(r));
    if (c === undefined) return { ...r, confirmation: { net: Number.NaN, verdict: 'same' }, verdict: 'same' };
    const notJudged: 'steal' | 'baseline steal' | undefined = busy
      ? 'steal'
      : slowBaseline && r.verdict === 'improvement'
        ? 'baseline steal'
        : undefined;
    const confirmation = {
      net: c.net,
      verdict: c.verdict,
      ...(secondStealPct === undefined ? {} : { stealPct: secondStealPct }),
      ...(notJudged === undefined ? {} : { notJudged }),
    };
    return { ...r, confirmation, verdict: c.verdict === r.verdict && notJudged === undefined ? r.verdict : 'same' };
  });
  return { ...first, maxStealPct, ...(baselineStealPct === undefined ? {} : { baselineStealPct }), rows };
}

const isDims = (d: unknown): d is Dims =>
  typeof d === 'object' &&
  d !== null &&
  ['B', 'T', 'F', 'H'].every((k) => Number.isSafeInteger((d as Record<string, unknown>)[k]));

/** Reads a bench.json written by `bench --out` or `--json`; throws naming the file and the first bad entry. */
export async function readBaseline(file: string): Promise<Baseline> {
  const where = `rnn-harness bench: --compare ${file}`;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(
      `${where}: expected a bench.json written by 'rnn-harness bench --out DIR'; could not read it: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const results = (json as { results?: unknown } | null)?.results;
  if (!Array.isArray(results))
    throw new Error(
      `${where}: expected an object with a "results" array; got ${json === null ? 'null' : typeof json}${Array.isArray(json) ? ' (an array)' : ''}`,
    );
  results.forEach((r: unknown, i) => {
    const o = r as Record<string, unknown>;
    const ok =
      typeof o === 'object' &&
      o !== null &&
      typeof o.backend === 'string' &&
      isDims(o.shape) &&
      (o.op === 'forward' || o.op === 'train') &&
      typeof o.meanMs === 'number' &&
      o.meanMs > 0 &&
      typeof o.rme === 'number' &&
      Number.isFinite(o.rme);
    if (!ok)
      throw new Error(
        `${where}: results[${i}] must have backend, shape {B,T,F,H}, op 'forward'|'train', meanMs > 0 and rme; got ${JSON.stringify(r)}`,
      );
  });
  const peaks = (json as { peaks?: unknown }).peaks;
  const probes = Array.isArray(peaks)
    ? peaks.filter((p): p is BaselinePeak => typeof p?.engine === 'string' && typeof p?.meanMs === 'number')
    : [];
  const steal = (json as { environment?: { stealPct?: unknown } }).environment?.stealPct;
  return {
    results: results as BaselineResult[],
    peaks: probes,
    ...(typeof steal === 'number' && Number.isFinite(steal) ? { stealPct: steal } : {}),
  };
}
