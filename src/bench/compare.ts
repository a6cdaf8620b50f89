/**
 * `bench --compare BASELINE.json`: this run's times against a saved run's, one row per backend, shape
 * and op present in both. A change counts only beyond the noise the two runs measured themselves:
 *
 *     noise % = √(rme_baseline² + rme_current²) + the larger spread of either run's rounds
 *               (max − min over min of the round means, 0 with one round)
 *     threshold % = max(noise %, minChange %)
 *
 * and the verdict is 'regression' when current/baseline > 1 + threshold, 'improvement' when below 1/(1 + threshold),
 * 'same' otherwise. rme is benchmark.js's relative margin of error (95 % confidence) of one run's mean;
 * minChange is a floor for runs on different days, whose machine state no single run measures.
 */
import { readFile } from 'node:fs/promises';
import type { BenchOp, BenchResult } from './runner.js';
import type { Dims } from '../rnn.js';

export type Verdict = 'regression' | 'improvement' | 'same';
export type Comparison = {
  backend: string; shape: Dims; op: BenchOp;
  baselineMs: number; currentMs: number;
  /** currentMs / baselineMs: above 1 is slower. */
  ratio: number;
  noisePct: number; thresholdPct: number; verdict: Verdict;
};
export type CompareReport = {
  baseline: string; minChangePct: number; rows: Comparison[];
  /** Results of this run with no counterpart in the baseline, as 'backend op BxTxFxH'. */
  unmatched: string[];
};

/** The fields of a bench result that a baseline must have. */
export type BaselineResult = Pick<BenchResult, 'backend' | 'shape' | 'op' | 'meanMs' | 'rme'> & { roundsMs?: number[] };

export const DEFAULT_MIN_CHANGE_PCT = 5;

const key = (r: { backend: string; shape: Dims; op: string }) => `${r.backend} ${r.op} ${r.shape.B}x${r.shape.T}x${r.shape.F}x${r.shape.H}`;

function spreadPct(rounds: number[] | undefined): number {
  if (rounds === undefined || rounds.length < 2) return 0;
  const lo = Math.min(...rounds);
  return ((Math.max(...rounds) - lo) / lo) * 100;
}

/** Compares two runs (see the module comment for the rule). */
export function compareResults(baseline: readonly BaselineResult[], current: readonly BenchResult[], minChangePct = DEFAULT_MIN_CHANGE_PCT, baselineName = 'baseline'): CompareReport {
  const saved = new Map(baseline.map((r) => [key(r), r]));
  const rows: Comparison[] = [];
  const unmatched: string[] = [];
  for (const r of current) {
    const b = saved.get(key(r));
    if (b === undefined) {
      unmatched.push(key(r));
      continue;
    }
    const noisePct = Math.hypot(b.rme, r.rme) + Math.max(spreadPct(b.roundsMs), spreadPct(r.roundsMs));
    const thresholdPct = Math.max(noisePct, minChangePct);
    const ratio = r.meanMs / b.meanMs;
    const limit = 1 + thresholdPct / 100;
    const verdict: Verdict = ratio > limit ? 'regression' : ratio < 1 / limit ? 'improvement' : 'same';
    rows.push({ backend: r.backend, shape: r.shape, op: r.op, baselineMs: b.meanMs, currentMs: r.meanMs, ratio, noisePct, thresholdPct, verdict });
  }
  return { baseline: baselineName, minChangePct, rows, unmatched };
}

const isDims = (d: unknown): d is Dims =>
  typeof d === 'object' && d !== null && ['B', 'T', 'F', 'H'].every((k) => Number.isSafeInteger((d as Record<string, unknown>)[k]));

/** Reads a bench.json written by `bench --out` or `--json`; throws naming the file and the first bad entry. */
export async function readBaseline(file: string): Promise<BaselineResult[]> {
  const where = `rnn-harness bench: --compare ${file}`;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${where}: expected a bench.json written by 'rnn-harness bench --out DIR'; could not read it: ${(e as Error).message}`);
  }
  const results = (json as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new Error(`${where}: expected an object with a "results" array; got ${json === null ? 'null' : typeof json}${Array.isArray(json) ? ' (an array)' : ''}`);
  results.forEach((r: unknown, i) => {
    const o = r as Record<string, unknown>;
    const ok = typeof o === 'object' && o !== null && typeof o.backend === 'string' && isDims(o.shape) && (o.op === 'forward' || o.op === 'train') &&
      typeof o.meanMs === 'number' && o.meanMs > 0 && typeof o.rme === 'number' && Number.isFinite(o.rme);
    if (!ok) throw new Error(`${where}: results[${i}] must have backend, shape {B,T,F,H}, op 'forward'|'train', meanMs > 0 and rme; got ${JSON.stringify(r)}`);
  });
  return results as BaselineResult[];
}
