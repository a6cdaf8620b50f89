/**
 * runFuzz: the properties of `rnn-harness fuzz` on random shapes, as a function that returns what the CLI
 * prints and writes. The oracle property checks loops against finite differences; every other backend
 * runs agreement (and saturation, when it supports tanh) on cases within its declarations. A failure is
 * shrunk, and comes back with its seed, path and a command that replays exactly that case.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { capabilityGaps } from '../capabilities.js';
import { caseToJson, describeCase, type RnnCase } from '../check/arbitraries.js';
import { agreementProperty, checkAgreement, oracleProperty, saturationProperty } from '../check/properties.js';
import { LARGE_RELU_NOTE, largeAgreementProperty, largeOracleProperty, largeSaturationProperty } from '../check/large-properties.js';
import { describeValue, invalidArgument } from '../errors.js';
import { createBackend } from '../registry.js';
import type { BackendInfo } from '../registry-types.js';
import type { RnnBackend } from '../rnn.js';
import { hungReason } from './guard.js';
import { closeSubject, errorMessage, openSubject, selectBackends, type BackendRef, type Subject } from './select.js';
import { shellLine } from './shell.js';

export const FUZZ_PROPERTIES = ['oracle', 'agreement', 'saturation'] as const;
export type FuzzProperty = (typeof FUZZ_PROPERTIES)[number];
export const FUZZ_SIZES = ['small', 'large'] as const;
export type FuzzSizes = (typeof FUZZ_SIZES)[number];

export type FuzzOptions = {
  /** Backends for agreement and saturation (default: every registered backend; loops runs the oracle). */
  backends?: readonly BackendRef[];
  /** Runs per property (default 100). */
  runs?: number;
  /** The seed (default: a fresh one, returned in the report). */
  seed?: number;
  /** Replays one shrunk failure: the path printed with it (use with its seed and property). */
  path?: string;
  /** Only this property (default: all). */
  property?: FuzzProperty;
  timeoutMs?: number;
  /** 'small' (default): B, F, H 1..6 and T 1..10; 'large': up to B 128, T 500, F 64, H 256 (check/large-properties.ts). */
  sizes?: FuzzSizes;
  /**
   * Runs only shard `index` (1-based) of `count`: the campaign's properties, in a fixed order (the oracle,
   * then each backend's agreement and saturation), dealt out in turn. Every property runs all its cases
   * with the same seed, so the shards together run exactly what one unsharded run would.
   */
  shard?: { index: number; count: number };
  /** Words that load the backends again in a replay line, e.g. ['--plugin', './mine.mjs']. */
  replayArgs?: readonly string[];
  progress?: (line: string) => void;
};

export type FuzzFailure = {
  property: string; backend: string; seed: number; path: string; shape: string; error: string;
  /** Cases tried before the first failure, and how many times fast-check shrank it. */
  runs: number; shrinks: number;
  counterexample: object;
  /** The command that replays this failure, quoted for a POSIX shell: paste it in the same folder. */
  replay: string;
  /**
   * False when the counterexample passes on a freshly created backend: the failure depends on what earlier
   * calls left behind (state kept between calls), and the replay line may not reproduce it.
   */
  replays?: boolean;
};

export type FuzzReport = {
  ok: boolean;
  runs: number;
  seed: number;
  sizes: FuzzSizes;
  /** The shard this report is, when the campaign was split (see FuzzOptions.shard). */
  shard?: { index: number; count: number };
  /** The whole campaign's properties in their fixed order, whichever shard ran them (merge sorts by it). */
  plan: { name: FuzzProperty; backend: string }[];
  properties: { name: string; backend: string; runs: number; skipped: number; ok: boolean; ms: number }[];
  failures: FuzzFailure[];
  /** Properties or parts of them not run, and why (what a backend does not declare, or could not start). */
  notRun: { property: string; backend: string; reason: string }[];
  unavailable: BackendInfo[];
  warnings: string[];
  /** The process's largest resident memory by the end of the run, in MB (see memoryUse). */
  maxRssMB: number;
};

/** This process's memory now, and the most it has held, in MB: what a long campaign watches for a leak. */
export function memoryUse(): { rssMB: number; heapMB: number; maxRssMB: number } {
  const m = process.memoryUsage();
  return { rssMB: Math.round(m.rss / 1e6), heapMB: Math.round(m.heapUsed / 1e6), maxRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6) };
}

/** Seconds between progress lines with the process's memory, on a property that runs that long. */
const PROGRESS_EVERY_MS = 5000;

type Target = { name: FuzzProperty; backend: RnnBackend; property: fc.IAsyncPropertyWithHooks<[RnnCase]>; subject?: Subject };

function checkOptions(o: FuzzOptions): { runs: number; seed: number } {
  const runs = o.runs ?? 100;
  if (!Number.isSafeInteger(runs) || runs < 1) throw invalidArgument('runFuzz', 'options.runs', 'an integer >= 1', describeValue(o.runs));
  const seed = o.seed ?? randomInt(2 ** 31 - 1);
  if (!Number.isSafeInteger(seed)) throw invalidArgument('runFuzz', 'options.seed', 'an integer', describeValue(o.seed));
  if (o.property !== undefined && !FUZZ_PROPERTIES.includes(o.property)) {
    throw invalidArgument('runFuzz', 'options.property', FUZZ_PROPERTIES.map((p) => `'${p}'`).join(', '), describeValue(o.property));
  }
  if (o.sizes !== undefined && !FUZZ_SIZES.includes(o.sizes)) {
    throw invalidArgument('runFuzz', 'options.sizes', FUZZ_SIZES.map((p) => `'${p}'`).join(' or '), describeValue(o.sizes));
  }
  const sh = o.shard;
  if (sh !== undefined && (typeof sh !== 'object' || sh === null || !Number.isSafeInteger(sh.count) || sh.count < 1 || !Number.isSafeInteger(sh.index) || sh.index < 1 || sh.index > sh.count)) {
    throw invalidArgument('runFuzz', 'options.shard', '{ index, count } with 1 <= index <= count', describeValue(sh));
  }
  return { runs, seed };
}

export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const { runs, seed } = checkOptions(options);
  const progress = options.progress ?? (() => {});
  const wanted = (p: FuzzProperty) => options.property === undefined || options.property === p;
  const sizes = options.sizes ?? 'small';
  const large = sizes === 'large';
  const selection = await selectBackends('runFuzz', options.backends);
  const report: FuzzReport = {
    ok: false, runs, seed, sizes, ...(options.shard === undefined ? {} : { shard: { ...options.shard } }),
    plan: [], properties: [], failures: [], notRun: [], unavailable: selection.unavailable, warnings: [], maxRssMB: 0,
  };
  // The campaign's properties in a fixed order, dealt out to the shards in turn.
  const others = selection.run.filter((e) => e.name !== 'loops');
  const plan: { name: FuzzProperty; backend: string }[] = (report.plan = [
    ...(wanted('oracle') ? [{ name: 'oracle' as const, backend: 'loops' }] : []),
    ...others.flatMap((e) => (['agreement', 'saturation'] as const).filter(wanted).map((name) => ({ name, backend: e.name }))),
  ]);
  const mine = (name: FuzzProperty, backend: string): boolean => {
    if (!wanted(name)) return false;
    if (options.shard === undefined) return true;
    const i = plan.findIndex((p) => p.name === name && p.backend === backend);
    return i % options.shard.count === options.shard.index - 1;
  };
  const reference = await createBackend('loops');
  const subjects: Subject[] = [];
  const targets: Target[] = mine('oracle', 'loops') && wanted('oracle')
    ? [{ name: 'oracle', backend: reference, property: large ? largeOracleProperty(reference) : oracleProperty(reference) }]
    : [];
  try {
    for (const entry of others) {
      if (!mine('agreement', entry.name) && !mine('saturation', entry.name)) continue;
      let s: Subject;
      try {
        s = await openSubject(entry, { forCheck: true, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
      } catch (e) {
        report.failures.push(startFailure(entry.name, seed, errorMessage(e)));
        continue;
      }
      subjects.push(s);
      if (mine('agreement', entry.name)) {
        targets.push({ name: 'agreement', backend: s.backend, property: large ? largeAgreementProperty(s.backend, reference) : agreementProperty(s.backend, reference), subject: s });
        if (large && s.backend.precision !== 'float64' && s.capabilities.activations.includes('relu')) report.notRun.push({ property: 'agreement on relu', backend: entry.name, reason: LARGE_RELU_NOTE });
      }
      if (mine('saturation', entry.name) && s.capabilities.activations.includes('tanh')) {
        targets.push({ name: 'saturation', backend: s.backend, property: large ? largeSaturationProperty(s.backend, reference) : saturationProperty(s.backend, reference), subject: s });
      }
      for (const g of capabilityGaps(s.capabilities)) report.notRun.push({ property: g.what === 'tanh' ? 'saturation, and agreement on tanh' : 'agreement', backend: entry.name, reason: `${g.what}: ${g.status} (${g.reason})` });
    }
    for (const t of targets) {
      progress(`${t.name} on ${t.backend.name}: running ${runs} cases…`);
      const start = performance.now();
      // A line with the process's memory every few seconds, so that a leak shows while it grows.
      let cases = 0;
      let shown = start;
      const watched = t.property.beforeEach(async (previous) => {
        cases++;
        const now = performance.now();
        if (now - shown >= PROGRESS_EVERY_MS) {
          shown = now;
          const m = memoryUse();
          progress(`${t.name} on ${t.backend.name}: ${cases} cases run (of ${runs}, shrinking included), rss ${m.rssMB} MB, heap ${m.heapMB} MB`);
        }
        await previous();
      });
      const out = await fc.check(watched, { numRuns: runs, seed, ...(options.path === undefined ? {} : { path: options.path }) });
      const ms = Math.round(performance.now() - start);
      report.properties.push({ name: t.name, backend: t.backend.name, runs: out.numRuns, skipped: out.numSkips, ok: !out.failed, ms });
      if (!out.failed) continue;
      const failure = failureOf(t, out, [...(large ? ['--sizes', 'large'] : []), ...(options.replayArgs ?? [])]);
      const c = out.counterexample?.[0];
      if (t.subject !== undefined && c !== undefined && hungReason(t.backend) === undefined) {
        failure.replays = await failsOnFresh(t.subject, reference, c, options.timeoutMs);
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
  return report;
}

/** Whether the counterexample also fails on a backend created afresh (undefined when none can be made). */
async function failsOnFresh(s: Subject, reference: RnnBackend, c: RnnCase, timeoutMs: number | undefined): Promise<boolean | undefined> {
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
  return { property: 'create', backend, seed, path: '', shape: 'none', error, runs: 0, shrinks: 0, counterexample: {}, replay: '' };
}

function failureOf(t: Target, out: fc.RunDetails<[RnnCase]>, loadArgs: readonly string[]): FuzzFailure {
  const c = out.counterexample?.[0];
  // A backend that hung failed every later call at once: the hang is the failure to report.
  const error = hungReason(t.backend) ?? (out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance));
  const path = out.counterexamplePath ?? '';
  return {
    property: t.name, backend: t.backend.name, seed: out.seed, path, shape: c ? describeCase(c) : 'none', error,
    runs: out.numRuns, shrinks: out.numShrinks, counterexample: c ? caseToJson(c) : {},
    replay: shellLine(['rnn-harness', 'fuzz', '--seed', String(out.seed), '--path', path, '--property', t.name, '--backends', t.backend.name, ...loadArgs]),
  };
}
