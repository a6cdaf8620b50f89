/**
 * A fuzz campaign's vocabulary, shared by the runner (run/fuzz.ts), its jobs (run/fuzz-jobs.ts), merge and
 * the reports: the options, the report, and the plan (which properties on which backends) with how it is
 * dealt to shards and jobs.
 */
import type { BackendInfo } from '../registry/types.js';
import type { Cell } from '../core/kinds.js';
import type { ChildDetails } from '../core/errors.js';
import { dealByCost, estimatedCost } from './deal.js';
import type { JobsOption } from './jobs.js';
import type { BackendRef } from './select.js';

export const FUZZ_PROPERTIES = ['oracle', 'agreement', 'saturation'] as const;
/** A property of `rnn-harness fuzz`: the oracle, agreement with loops, or agreement where tanh saturates. */
export type FuzzProperty = (typeof FUZZ_PROPERTIES)[number];
export const FUZZ_SIZES = ['small', 'large'] as const;
/** The sizes fuzz draws: 'small' (B, F, H up to 6, T up to 10) or 'large' (up to the bench's shapes). */
export type FuzzSizes = (typeof FUZZ_SIZES)[number];

/** Options of runFuzz: which backends, runs, seed, a path to replay, the property, the sizes, shards and jobs. */
export type FuzzOptions = {
  /** Backends for agreement and saturation (default: every registered backend; loops runs the oracle). */
  backends?: readonly BackendRef[];
  /** Runs per property (default 100). */
  runs?: number;
  /** The seed (default: a fresh one, returned in the report). */
  seed?: number;
  /** Replays one shrunk failure: the path printed with it (use with its seed and property). */
  path?: string;
  /** Shrink a failure (default true); false reports the first failing case as it was drawn. */
  shrink?: boolean;
  /** Only this property (default: all). */
  property?: FuzzProperty;
  timeoutMs?: number;
  /**
   * 'small' (default): B, F, H 1..6 and T 1..10; 'large': up to B 128, T 500, F 64, H 256 (check/large-properties.ts).
   */
  sizes?: FuzzSizes;
  /**
   * The cell (default 'rnn', the SimpleRNN): 'lstm' or 'gru' draw that cell's cases (a GRU's reset gate
   * after or before the product, an LSTM with or without c0) for every property, saturation with gate
   * pre-activations beyond 100 in magnitude (with --sizes large, biases up to 1e4).
   */
  cell?: Cell;
  /**
   * Runs only shard `index` (1-based) of `count`: the campaign's properties, in a fixed order (the oracle,
   * then each backend's agreement and saturation), dealt out by cost (see `costs`). Every property runs
   * all its cases with the same seed, so the shards together run exactly what one unsharded run would.
   */
  shard?: { index: number; count: number };
  /**
   * What each property of the plan costs, in its order, for dealing the shards (default: estimated from
   * the backends' kinds, run/deal.ts). `--jobs` passes its children the costs measured in past runs.
   */
  costs?: readonly number[];
  /**
   * Child processes to run the campaign in (default 1: this process; 'auto': the cores, when the campaign
   * is estimated at 10 s or more). The properties are dealt to them by cost, as shards of one campaign
   * with the same seed, and their reports merged: the report is what one process would have written,
   * times and memory aside (run/fuzz-jobs.ts).
   */
  jobs?: JobsOption;
  /** Words that load the backends again in a replay line, e.g. ['--plugin', './mine.mjs']. */
  replayArgs?: readonly string[];
  progress?: (line: string) => void;
};

/**
 * One property that failed: its shrunk counterexample with the worst element, the first failing case, and the replay
 * line.
 */
export type FuzzFailure = {
  property: string;
  backend: string;
  seed: number;
  path: string;
  shape: string;
  error: string;
  /** Cases tried before the first failure, and how many times fast-check shrank it. */
  runs: number;
  shrinks: number;
  counterexample: object;
  /** The command that replays this failure, quoted for a POSIX shell: paste it in the same folder. */
  replay: string;
  /**
   * False when the counterexample passes on a freshly created backend: the failure depends on what earlier
   * calls left behind (state kept between calls), and the replay line may not reproduce it.
   */
  replays?: boolean;
  /** The shrunk case's worst error/tolerance (Infinity for a throw or a NaN). */
  ratio?: number;
  /** The shrunk case's worst element: which quantity, where, what came back and what was expected. */
  worst?: { quantity: string; index: number[]; got: number; expected: number };
  /**
   * The first failing case as it was drawn, before shrinking (absent when a --path replay started shrunk),
   * with the command that replays it unshrunk and whether it fails on a fresh backend.
   */
  original?: { shape: string; error: string; ratio: number; counterexample: object; replay: string; replays?: boolean };
} & ChildDetails;

/** What `rnn-harness fuzz` prints and writes: the plan, every property's runs, the failures, what was not run. */
export type FuzzReport = {
  ok: boolean;
  runs: number;
  seed: number;
  sizes: FuzzSizes;
  /** The cell fuzzed, when not the SimpleRNN. */
  cell?: Cell;
  /** The shard this report is, when the campaign was split (see FuzzOptions.shard). */
  shard?: { index: number; count: number };
  /**
   * What each property of the plan costs, in its order, for dealing the shards (default: estimated from
   * the backends' kinds, run/deal.ts). `--jobs` passes its children the costs measured in past runs.
   */
  costs?: readonly number[];
  /**
   * Child processes to run the campaign in (default 1: this process; 'auto': the cores, when the campaign
   * is estimated at 10 s or more). The properties are dealt to them by cost, as shards of one campaign
   * with the same seed, and their reports merged: the report is what one process would have written,
   * times and memory aside (run/fuzz-jobs.ts).
   */
  jobs?: JobsOption;
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

/** One property of the campaign on one backend. */
export type PlanItem = { name: FuzzProperty; backend: string };

/** The campaign's properties in a fixed order: the oracle, then each backend's agreement and saturation. */
export function campaignPlan(backends: readonly string[], wanted: (p: FuzzProperty) => boolean): PlanItem[] {
  return [
    ...(wanted('oracle') ? [{ name: 'oracle' as const, backend: 'loops' }] : []),
    ...backends.flatMap((backend) =>
      (['agreement', 'saturation'] as const).filter(wanted).map((name) => ({ name, backend })),
    ),
  ];
}

/**
 * The plan's items each shard of `count` runs, dealt by cost (given, or estimated: run/deal.ts). A
 * backend's properties stay together, so that no two shards pay for starting the same backend (an X
 * server and a GL context, a Python that imports torch); each shard still gets agreement and saturation.
 */
export function dealPlan(plan: readonly PlanItem[], count: number, costs?: readonly number[]): number[][] {
  const cost =
    costs !== undefined && costs.length === plan.length ? costs : plan.map((p) => estimatedCost(p.name, p.backend));
  const groups: number[][] = [];
  plan.forEach((p, i) => {
    const same =
      p.name === 'oracle'
        ? undefined
        : groups.find((g) => plan[g[0] as number]?.backend === p.backend && plan[g[0] as number]?.name !== 'oracle');
    if (same === undefined) groups.push([i]);
    else same.push(i);
  });
  return dealByCost(
    groups.map((g) => g.reduce((a, i) => a + (cost[i] as number), 0)),
    count,
  ).map((gs) => gs.flatMap((g) => groups[g] as number[]).sort((a, b) => a - b));
}
