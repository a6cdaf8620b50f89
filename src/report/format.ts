/** Formatting shared by the Markdown and HTML writers. */
import type { BenchRun } from '../bench/runner.js';
import { OVERHEAD_FLOPS, SHORT_CALL_MS, type Comparison } from '../bench/compare.js';
import { STEAL_LIMIT_PCT } from '../bench/steal.js';
import { shapeName, type BenchReport } from '../bench/report.js';

export { shapeName, type BenchEnvironment, type BenchReport } from '../bench/report.js';

/** A time in ms with a unit that keeps 3 significant digits: 950 µs, 12.3 ms, 1.52 s. */
export function formatMs(ms: number): string {
  const digits = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (ms >= 1000) return `${digits(ms / 1000)} s`;
  if (ms >= 1) return `${digits(ms)} ms`;
  return `${digits(ms * 1000)} µs`;
}

/**
 * loops' result for the same shape and op (on the same machine, in a merged report), which speedups are measured
 * against.
 */
export function baselineOf(run: BenchRun, r: BenchRun['results'][number]) {
  const loops = r.machine === undefined ? 'loops' : `loops @ ${r.machine}`;
  return run.results.find((o) => o.backend === loops && o.op === r.op && shapeName(o.shape) === shapeName(r.shape));
}

export const percent = (f: number) => `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`;

/** The backends a run could not time, as rows [backend, shape, op, why]; one list, or none when all were timed. */
export function notTimed(report: BenchReport): string[][][] {
  const rows = [
    ...report.failures.map((f) => [f.backend, f.shape ? shapeName(f.shape) : '–', f.op ?? '–', `FAILED: ${f.reason}`]),
    ...(report.notSupported ?? []).map((n) => [n.backend, '–', '–', `not supported: ${n.reason}`]),
    ...(report.unavailable ?? []).map((u) => [u.name, '–', '–', `unavailable: ${u.reason ?? ''}`]),
  ];
  return rows.length === 0 ? [] : [rows];
}

/** "8.12 ms (pipe 1.80)" for a result timed in its own process too, else undefined. */
export function inProcessNote(r: BenchRun['results'][number]): string | undefined {
  return r.inProcessMs === undefined
    ? undefined
    : `${formatMs(r.inProcessMs)} (pipe ${formatMs(Math.max(0, r.meanMs - r.inProcessMs))})`;
}

/** A change as a signed percentage: +101 %, −45 %. */
export const changePct = (ratio: number): string =>
  `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(ratio > 0.99 && ratio < 1.01 ? 1 : 0)} %`;

/** The words of a verdict: what changed, in plain terms. */
export const verdictWord = (v: Comparison['verdict']): string =>
  v === 'regression' ? 'REGRESSION' : v === 'improvement' ? 'faster' : 'no change';

/** The columns of a comparison with a baseline, as every report shows them. */
export const COMPARE_HEADER = [
  'backend',
  'shape',
  'op',
  'baseline',
  'now',
  'change',
  'machine drift',
  'net change',
  'threshold',
  'rank test',
  'verdict',
];

/** One comparison's cells, in the order of COMPARE_HEADER (maxStealPct: the comparison's, see steal.ts). */
export function compareCells(r: Comparison, maxStealPct?: number): string[] {
  return [
    r.backend,
    shapeName(r.shape),
    r.op,
    formatMs(r.baselineMs),
    formatMs(r.currentMs),
    changePct(r.ratio),
    changePct(r.drift),
    changePct(r.net),
    `±${r.thresholdPct.toFixed(0)} %`,
    r.significant === undefined ? 'no samples' : r.significant ? 'differ' : 'cannot tell',
    verdictWord(r.verdict) + confirmationNote(r, maxStealPct),
  ];
}

/** How a flagged row fared when measured again: '' for a row not flagged. */
function confirmationNote(r: Comparison, maxStealPct: number | undefined): string {
  const c = r.confirmation;
  if (c === undefined) return '';
  if (Number.isNaN(c.net)) return ' (not confirmed: could not be measured again)';
  if (
    c.notJudged === 'steal' ||
    (c.notJudged === undefined &&
      c.stealPct !== undefined &&
      c.stealPct >= (maxStealPct ?? STEAL_LIMIT_PCT) &&
      c.verdict !== 'same')
  )
    return ` (not judged: ${changePct(c.net)} measured again, while the host took ${(c.stealPct ?? Number.NaN).toFixed(0)} % of the CPU)`;
  if (c.notJudged === 'baseline steal')
    return ` (not judged: ${changePct(c.net)} measured again, but the baseline was timed while the host took CPU from it)`;
  return c.verdict === r.verdict && r.verdict !== 'same'
    ? ` (confirmed: ${changePct(c.net)} measured again)`
    : ` (not confirmed: ${changePct(c.net)} measured again)`;
}

/** One sentence on the rule, for the head of a comparison. */
export const compareRule = (minChangePct: number, maxStealPct = STEAL_LIMIT_PCT): string =>
  `A result is called slower (REGRESSION) or faster only when its net change, against the other backends timed beside it (which takes out ` +
  `the machine's drift), is beyond the larger of ${minChangePct} % (${2 * minChangePct} % for calls under ${SHORT_CALL_MS} ms or of under ${OVERHEAD_FLOPS.toLocaleString('en')} floating-point operations, which ` +
  'time the machine as much as the code) and the noise both runs measured, and a rank test (Mann–Whitney U, 95 %) ' +
  'tells the samples apart, and its shape and op timed again in a new process say so too, with the host taking ' +
  `under ${maxStealPct} % of the CPU (steal) meanwhile; otherwise: no change.`;
