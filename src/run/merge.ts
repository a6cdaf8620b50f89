/**
 * runMerge: the check.json, fuzz.json and bench.json of several folders (shards of one campaign, or runs on
 * several machines) combined into one report of the same format.
 * - fuzz: the shards of one campaign (same seed, runs and sizes) become what one unsharded run would have
 *   written: properties and failures in the campaign's order, what was not run said once. Every shard
 *   must be there.
 * - check: every folder's rows; a backend checked in one folder is not also listed as unavailable.
 * - bench: each folder is a machine, named after the folder; its results keep their backend names with
 *   "@ machine" added, so tables and charts show the machines side by side, and each result is measured
 *   against loops on its own machine. The environment of each is kept in environment.machines.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CheckReport } from './check-plan.js';
import type { FuzzReport } from './fuzz-plan.js';
import type { BenchEnvironment, BenchReport } from '../bench/report.js';
import { RnnInputError } from '../core/errors.js';

/** Reports of several folders merged into one of each kind, with the folders each came from. */
export type MergedReports = {
  check?: CheckReport;
  fuzz?: FuzzReport;
  bench?: BenchReport;
  sources: Record<'check' | 'fuzz' | 'bench', string[]>;
};

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RnnInputError(`runMerge: ${file} is not JSON: ${(e as Error).message}`);
  }
}

const unique = <T>(items: T[], key: (t: T) => string): T[] => {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
};

export function mergeFuzz(parts: { dir: string; report: FuzzReport }[]): FuzzReport {
  const first = parts[0] as { dir: string; report: FuzzReport };
  for (const { dir, report } of parts) {
    for (const k of ['seed', 'runs', 'sizes', 'cell'] as const) {
      if (report[k] !== first.report[k]) {
        throw new RnnInputError(
          `runMerge: ${dir}/fuzz.json has ${k} ${JSON.stringify(report[k] ?? 'rnn')} but ${first.dir}/fuzz.json has ${JSON.stringify(first.report[k] ?? 'rnn')}: shards of one campaign share the seed, runs, sizes and cell`,
        );
      }
    }
    if (JSON.stringify(report.plan) !== JSON.stringify(first.report.plan)) {
      throw new RnnInputError(
        `runMerge: ${dir}/fuzz.json fuzzed other backends or properties than ${first.dir}/fuzz.json (its plan differs): give every shard the same --backends and --property`,
      );
    }
  }
  const count = first.report.shard?.count ?? 1;
  const indices = parts.map((p) => p.report.shard?.index ?? 1);
  for (const { dir, report } of parts) {
    if ((report.shard?.count ?? 1) !== count)
      throw new RnnInputError(
        `runMerge: ${dir}/fuzz.json is shard ${report.shard?.index ?? 1}/${report.shard?.count ?? 1} but ${first.dir}/fuzz.json is one of ${count}`,
      );
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indices.includes(i));
  if (missing.length > 0)
    throw new RnnInputError(
      `runMerge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} of the fuzz campaign missing from the folders given`,
    );
  const twice = indices.find((i, k) => indices.indexOf(i) !== k);
  if (twice !== undefined)
    throw new RnnInputError(`runMerge: shard ${twice}/${count} of the fuzz campaign is in more than one folder`);
  const order = (name: string, backend: string) => {
    const i = first.report.plan.findIndex((p) => p.name === name && p.backend === backend);
    return i < 0 ? first.report.plan.length : i;
  };
  const all = parts.map((p) => p.report);
  const properties = all
    .flatMap((r) => r.properties)
    .sort((a, b) => order(a.name, a.backend) - order(b.name, b.backend));
  const failures = unique(
    all.flatMap((r) => r.failures),
    (f) => (f.property === 'create' ? `create ${f.backend}` : JSON.stringify(f)),
  ).sort((a, b) => order(a.property, a.backend) - order(b.property, b.backend));
  const notRun = unique(
    all.flatMap((r) => r.notRun),
    (n) => JSON.stringify(n),
  );
  const unavailable = unique(
    all.flatMap((r) => r.unavailable),
    (u) => u.name,
  );
  const merged: FuzzReport = {
    ok: failures.length === 0 && all.every((r) => r.ok),
    runs: first.report.runs,
    seed: first.report.seed,
    sizes: first.report.sizes,
    ...(first.report.cell === undefined ? {} : { cell: first.report.cell }),
    plan: first.report.plan,
    properties,
    failures,
    notRun,
    unavailable,
    warnings: unique(
      all.flatMap((r) => r.warnings),
      (w) => w,
    ),
    maxRssMB: Math.max(...all.map((r) => r.maxRssMB)),
  };
  return merged;
}

export function mergeCheck(parts: { dir: string; report: CheckReport }[]): CheckReport {
  const all = parts.map((p) => p.report);
  // Shards of one check put their rows back in the plan's order (each backend, then the oracle).
  const plan = all.find((r) => r.plan !== undefined)?.plan;
  const order = (backend: string) => (plan === undefined || !plan.includes(backend) ? Infinity : plan.indexOf(backend));
  const rows = unique(
    all.flatMap((r) => r.rows),
    (r) => JSON.stringify(r),
  );
  if (plan !== undefined) rows.sort((a, b) => order(a.backend) - order(b.backend));
  const byPlan = <T>(o: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => order(a) - order(b)));
  const checked = new Set(rows.map((r) => r.backend));
  return {
    ok: all.every((r) => r.ok) && rows.every((r) => r.status !== 'fail'),
    cases: unique(
      all.flatMap((r) => r.cases),
      (c) => c,
    ),
    ...(plan === undefined ? {} : { plan }),
    rows,
    capabilities: byPlan(Object.assign({}, ...all.map((r) => r.capabilities))),
    oracleSkipped: unique(
      all.flatMap((r) => r.oracleSkipped),
      (s) => s,
    ),
    unavailable: unique(
      all.flatMap((r) => r.unavailable),
      (u) => u.name,
    ).filter((u) => !checked.has(u.name)),
    renderers: byPlan(Object.assign({}, ...all.map((r) => r.renderers))),
    warnings: unique(
      all.flatMap((r) => r.warnings),
      (w) => w,
    ),
    likelyCauses: byPlan(Object.assign({}, ...all.map((r) => r.likelyCauses ?? {}))),
    times: byPlan(Object.assign({}, ...all.map((r) => r.times ?? {}))),
  };
}

export function mergeBench(parts: { dir: string; report: BenchReport }[]): BenchReport {
  if (parts.length === 1) return (parts[0] as { report: BenchReport }).report;
  const labels: string[] = [];
  for (const { dir } of parts) {
    const base = basename(resolve(dir));
    let label = base;
    for (let n = 2; labels.includes(label); n++) label = `${base}-${n}`;
    labels.push(label);
  }
  const at = (name: string, label: string) => `${name} @ ${label}`;
  const machines: { label: string; environment: BenchEnvironment }[] = parts.map((p, i) => ({
    label: labels[i] as string,
    environment: p.report.environment,
  }));
  const first = (parts[0] as { report: BenchReport }).report;
  const results = parts.flatMap((p, i) =>
    p.report.results.map((r) => ({ ...r, backend: at(r.backend, labels[i] as string), machine: labels[i] as string })),
  );
  const peaks = parts.flatMap((p, i) =>
    p.report.peaks.map((k) => ({ ...k, engine: at(k.engine, labels[i] as string) })),
  );
  const limit = peaks.reduce<(typeof peaks)[number] | undefined>(
    (best, k) => (best === undefined || k.gflops > best.gflops ? k : best),
    undefined,
  );
  const environment: BenchEnvironment & { machines: typeof machines } = {
    ...first.environment,
    cpu: unique(
      machines.map((m) => m.environment.cpu),
      (c) => c,
    ).join(' | '),
    renderers: Object.fromEntries(
      machines.flatMap((m) => Object.entries(m.environment.renderers ?? {}).map(([k, v]) => [at(k, m.label), v])),
    ),
    engines: Object.fromEntries(
      machines.flatMap((m) => Object.entries(m.environment.engines ?? {}).map(([k, v]) => [at(k, m.label), v])),
    ),
    machines,
  };
  return {
    environment,
    results,
    peaks,
    ...(limit === undefined ? {} : { limit }),
    failures: parts.flatMap((p, i) =>
      p.report.failures.map((f) => ({ ...f, backend: at(f.backend, labels[i] as string) })),
    ),
    notSupported: parts.flatMap((p, i) =>
      (p.report.notSupported ?? []).map((n) => ({ ...n, backend: at(n.backend, labels[i] as string) })),
    ),
    unavailable: parts.flatMap((p, i) =>
      (p.report.unavailable ?? []).map((u) => ({ ...u, name: at(u.name, labels[i] as string) })),
    ),
  };
}

/** Reads the reports in `dirs` and merges each kind found; a folder with none of them is an error. */
export async function runMerge(dirs: readonly string[]): Promise<MergedReports> {
  if (dirs.length === 0) throw new RnnInputError('runMerge: dirs must name at least one folder; got none');
  const found = {
    check: [] as { dir: string; report: CheckReport }[],
    fuzz: [] as { dir: string; report: FuzzReport }[],
    bench: [] as { dir: string; report: BenchReport }[],
  };
  for (const dir of dirs) {
    const [check, fuzz, bench] = await Promise.all([
      readJson<CheckReport>(join(dir, 'check.json')),
      readJson<FuzzReport>(join(dir, 'fuzz.json')),
      readJson<BenchReport>(join(dir, 'bench.json')),
    ]);
    if (check === undefined && fuzz === undefined && bench === undefined)
      throw new RnnInputError(`runMerge: ${dir} holds no check.json, fuzz.json or bench.json`);
    if (check !== undefined) found.check.push({ dir, report: check });
    if (fuzz !== undefined) {
      if (!Array.isArray(fuzz.plan))
        throw new RnnInputError(
          `runMerge: ${dir}/fuzz.json has no plan: it was written by an older rnn-harness; run the campaign again`,
        );
      found.fuzz.push({ dir, report: fuzz });
    }
    if (bench !== undefined) found.bench.push({ dir, report: bench });
  }
  return {
    ...(found.check.length > 0 ? { check: mergeCheck(found.check) } : {}),
    ...(found.fuzz.length > 0 ? { fuzz: mergeFuzz(found.fuzz) } : {}),
    ...(found.bench.length > 0 ? { bench: mergeBench(found.bench) } : {}),
    sources: {
      check: found.check.map((f) => f.dir),
      fuzz: found.fuzz.map((f) => f.dir),
      bench: found.bench.map((f) => f.dir),
    },
  };
}
