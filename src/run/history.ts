/**
 * runHistory: a folder of bench results (every *.json that `bench --json` or `bench --out` wrote, one per
 * commit or day, in any subfolder) as trends per backend, shape and op. Runs are ordered by the date in
 * their environment; each result is compared with the same backend, shape and op in the run before by
 * the rule of `bench --compare` (src/bench/compare.ts), so a regression here is what --compare would
 * have called one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { compareResults, DEFAULT_MIN_CHANGE_PCT, type Verdict } from '../bench/compare.js';
import type { BenchResult } from '../bench/runner.js';
import { RnnInputError } from '../core/errors.js';
import { shapeName, type BenchReport } from '../bench/report.js';
import type { BenchOp } from '../bench/runner.js';

/** One bench run of a history: its label, file, date, CPU and Node version. */
export type HistoryRun = { label: string; file: string; date: string; cpu: string; node: string };
/** One result of one bench run in a history: its mean, and how it compares with the run before. */
export type HistoryPoint = {
  run: number;
  meanMs: number;
  rme: number;
  verdict?: Verdict;
  ratio?: number;
  net?: number;
  thresholdPct?: number;
};
/** The results of one backend, shape and op across the runs of a history. */
export type HistorySeries = { backend: string; shape: string; op: BenchOp; points: HistoryPoint[] };
/**
 * A folder of bench runs as trends: the runs in date order, a series per backend, shape and op, and the files left out.
 */
export type BenchHistory = { runs: HistoryRun[]; series: HistorySeries[]; minChangePct: number; ignored: string[] };

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsonFiles(p)));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

const isBench = (v: unknown): v is BenchReport =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as BenchReport).results) &&
  typeof (v as BenchReport).environment?.date === 'string';

/** Reads every bench result under `dir`; other JSON (check.json, fuzz.json, …) is listed in `ignored`. */
export async function runHistory(dir: string, minChangePct = DEFAULT_MIN_CHANGE_PCT): Promise<BenchHistory> {
  let files: string[];
  try {
    files = await jsonFiles(dir);
  } catch (e) {
    throw new RnnInputError(`runHistory: cannot read the folder ${dir}: ${(e as Error).message}`);
  }
  const found: { file: string; report: BenchReport }[] = [];
  const ignored: string[] = [];
  for (const file of files) {
    let v: unknown;
    try {
      v = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      ignored.push(relative(dir, file));
      continue;
    }
    if (isBench(v)) found.push({ file, report: v });
    else ignored.push(relative(dir, file));
  }
  if (found.length === 0)
    throw new RnnInputError(
      `runHistory: no bench results (JSON with environment and results, as bench --json or --out writes) under ${dir}`,
    );
  found.sort(
    (a, b) => a.report.environment.date.localeCompare(b.report.environment.date) || a.file.localeCompare(b.file),
  );
  const runs: HistoryRun[] = found.map(({ file, report }) => {
    const rel = relative(dir, file);
    const label = rel.replace(/(^|\/)bench\.json$/, '').replace(/\.json$/, '') || rel;
    return {
      label,
      file: rel,
      date: report.environment.date,
      cpu: report.environment.cpu,
      node: report.environment.node,
    };
  });
  const series = new Map<string, HistorySeries>();
  const keyOf = (r: BenchResult) => `${r.backend}|${shapeName(r.shape)}|${r.op}`;
  found.forEach(({ report }, i) => {
    const before = i > 0 ? (found[i - 1] as { report: BenchReport }).report : undefined;
    const peaks = { baseline: before?.peaks ?? [], current: report.peaks ?? [] };
    const verdicts = new Map(
      compareResults(before?.results ?? [], report.results, minChangePct, 'the run before', peaks).rows.map((c) => [
        `${c.backend}|${shapeName(c.shape)}|${c.op}`,
        c,
      ]),
    );
    for (const r of report.results) {
      const k = keyOf(r);
      let s = series.get(k);
      if (s === undefined) series.set(k, (s = { backend: r.backend, shape: shapeName(r.shape), op: r.op, points: [] }));
      const c = verdicts.get(k);
      s.points.push({
        run: i,
        meanMs: r.meanMs,
        rme: r.rme,
        ...(c === undefined ? {} : { verdict: c.verdict, ratio: c.ratio, net: c.net, thresholdPct: c.thresholdPct }),
      });
    }
  });
  return { runs, series: [...series.values()], minChangePct, ignored };
}
