/** What bench.json holds: a bench run with where it ran, and how a shape is named. */
import type { Activation, Dims } from '../core/rnn.js';
import type { Cell } from '../core/kinds.js';
import type { BackendInfo } from '../registry/types.js';
import type { CompareReport } from './compare.js';
import type { BenchRun } from './runner.js';

/** What a report says about where it ran. `renderers` names each GPU backend's GL renderer, when any ran. */
export type BenchEnvironment = {
  node: string;
  cpu: string;
  cores: number;
  rounds: number;
  maxTimeS: number;
  date: string;
  /** The activation of every timed call (tanh when absent, as in reports written before it was recorded). */
  activation?: Activation;
  /** The cell of every timed call, when not the SimpleRNN. */
  cell?: Cell;
  packages: Record<string, string>;
  renderers?: Record<string, string>;
  /** What each backend in another process computes with, from its hello (e.g. torch and its BLAS). */
  engines?: Record<string, string>;
  /** The share of the machine's CPU time its host took while this run timed (steal; Linux only). */
  stealPct?: number;
};

/** Everything bench.json, bench.md and bench.html hold. */
export type BenchReport = BenchRun & {
  environment: BenchEnvironment;
  comparison?: CompareReport;
  /** Backends left out because they do not support the run's activation. */
  notSupported?: { backend: string; reason: string }[];
  unavailable?: BackendInfo[];
};

export const shapeName = (s: Dims) => `${s.B}x${s.T}x${s.F}x${s.H}`;
