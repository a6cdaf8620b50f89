/** What `rnn-harness fuzz` prints, as lines: for the terminal, for merge, and inside fuzz.md. */
import type { ChildDetails } from '../core/errors.js';
import type { FuzzFailure, FuzzReport } from '../run/fuzz-plan.js';
import { unavailableLines } from './text.js';

/** A child's traceback and what it printed during the failed call, as indented lines (none for others). */
export function childLines(d: ChildDetails): string[] {
  const lines: string[] = [];
  if (d.traceback !== undefined)
    lines.push("traceback (the harness's own frames left out):", ...d.traceback.split('\n').map((l) => `  ${l}`));
  if (d.output !== undefined)
    lines.push('the child printed during this call:', ...d.output.split('\n').map((l) => `  | ${l}`));
  return lines;
}

/** A nested array as short text: [[0.5,-1],[0,0.125]]. */
const nested = (t: { shape: number[]; data: number[] }): string => {
  const build = (depth: number, offset: number): string => {
    if (depth === t.shape.length) return String(t.data[offset]);
    const stride = t.shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return `[${Array.from({ length: t.shape[depth] as number }, (_, i) => build(depth + 1, offset + i * stride)).join(',')}]`;
  };
  return build(0, 0);
};

/** A counterexample's tensors as nested arrays (`wx [[0.5]]  b [0]  h0 none …`), or its recipe as JSON. */
export function caseValues(counterexample: object): string {
  const c = counterexample as Record<string, unknown>;
  if (!('wx' in c)) return JSON.stringify(counterexample);
  // A GRU's bh and an LSTM's c0 are in the case when its cell has them.
  return ['wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0', 'dhs']
    .filter((k) => k in c || (k !== 'bh' && k !== 'c0'))
    .map((k) => {
      const t = c[k] as { shape: number[]; data: number[] } | null | undefined;
      return `${k} ${t === null || t === undefined ? 'none' : nested(t)}`;
    })
    .join('  ');
}

/** One failure: what failed on which case, the values, the first failing case, and the line that replays it. */
export function fuzzFailureLines(f: FuzzFailure): string[] {
  if (f.property === 'create') return [`FAIL  ${f.backend} could not be started: ${f.error}`];
  if (f.runs === 0 && f.path === '') return [`FAIL  ${f.property} on ${f.backend}: ${f.error}`];
  const lines = [
    `FAIL  ${f.property} on ${f.backend} after ${f.runs} cases, shrunk ${f.shrinks} times`,
    `      counterexample: ${f.shape}`,
    `      ${f.error}`,
    ...childLines(f).map((l) => `      ${l}`),
    `      values: ${caseValues(f.counterexample)}`,
  ];
  if (f.original !== undefined) {
    lines.push(
      `      first failing case, before shrinking: ${f.original.shape}, worst error/tolerance ${f.original.ratio.toExponential(2)}`,
      `        ${f.original.error}`,
    );
  }
  lines.push(`      seed ${f.seed}, path ${f.path}`, `      replay: ${f.replay}`);
  if (f.replays === false) {
    lines.push(
      '      note: this case passes on a freshly created backend: the failure depends on what earlier calls left',
      '      behind (state kept between calls), so the replay may pass. Look for accumulators that are never reset.',
    );
    if (f.original?.replays === true)
      lines.push(`      the first failing case fails on a fresh backend too; replay it unshrunk: ${f.original.replay}`);
  }
  return lines;
}

/** Everything `rnn-harness fuzz` prints for a report. */
export function fuzzLines(report: FuzzReport): string[] {
  const shard = report.shard === undefined ? '' : `, shard ${report.shard.index}/${report.shard.count}`;
  const lines = [
    `rnn-harness fuzz: seed ${report.seed}, ${report.runs} runs per property, ${report.sizes} sizes${report.cell === undefined ? '' : `, ${report.cell}`}${shard}`,
  ];
  for (const p of report.properties)
    if (p.ok) lines.push(`ok    ${p.name} on ${p.backend}: ${p.runs} cases, ${p.skipped} discarded, ${p.ms} ms`);
  for (const f of report.failures) lines.push(...fuzzFailureLines(f));
  for (const n of report.notRun) lines.push(`not run: ${n.property} on ${n.backend}: ${n.reason}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(
    ...unavailableLines(report.unavailable),
    `memory: the process held at most ${report.maxRssMB} MB`,
    fuzzVerdict(report),
  );
  return lines;
}

/** The last line: 'nothing found' or how many properties failed. */
export function fuzzVerdict(report: FuzzReport): string {
  const n = report.failures.length;
  return n === 0 ? 'nothing found' : `${n} propert${n === 1 ? 'y' : 'ies'} FAILED`;
}
