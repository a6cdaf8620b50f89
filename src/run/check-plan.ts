/**
 * A check's vocabulary, shared by the runner (run/check.ts), its jobs (run/check-jobs.ts), merge and the
 * reports: the options, the report, and the plan (each backend, then the oracle) with what each part costs.
 */
import type { CheckRow } from '../check/suite.js';
import { CELLS, type Cell } from '../core/kinds.js';
import { invalidArgument, describeValue } from '../core/errors.js';
import type { BackendInfo } from '../registry/types.js';
import { estimatedCost } from './deal.js';
import type { JobsOption } from './jobs.js';
import type { BackendRef } from './select.js';

/** The part of the plan that checks loops' gradients against finite differences. */
export const ORACLE = 'oracle';

/** The parts of a check, in the order its rows come: each backend, then the oracle (see CheckOptions.shard). */
export const checkPlan = (backends: readonly string[]): string[] => [...backends, ORACLE];

/**
 * What a part of the check costs before any was timed, in ms: its suite is about 150 agreement cases'
 * worth of calls (the oracle: about 3 s of finite differences here).
 */
export const estimatedCheckCost = (part: string): number =>
  part === ORACLE ? 3000 : 150 * estimatedCost('agreement', part);

/** Options of runCheck: which backends, the time limit of a call, the large shapes, shards and jobs. */
export type CheckOptions = {
  /** Backend names or entries (default: every registered backend). */
  backends?: readonly BackendRef[];
  /** Time limit of one call, creation and disposal included (default 60 s). */
  timeoutMs?: number;
  /** Also the bench's shapes: agreement with loops and the directional gradient oracle (check/large.ts). */
  large?: boolean;
  /**
   * The cell to check (default 'rnn', the SimpleRNN): 'lstm' or 'gru' check that cell's suite and the
   * other frameworks' expectations for it, their rows named 'lstm hs', 'gru dbh', …; 'all' all three.
   */
  cell?: Cell | 'all';
  /** Lines of progress, e.g. to stderr. */
  progress?: (line: string) => void;
  /**
   * Runs only shard `index` (1-based) of `count`: the check's parts (each backend, then the oracle) dealt
   * by cost, the costliest first to the shard with the least so far; merge the shards' check.json with
   * rnn-harness merge.
   */
  shard?: { index: number; count: number };
  /** What each part of the plan costs, in its order, for dealing shards (default: estimated). */
  costs?: readonly number[];
  /**
   * Child processes to run the check in (default 1: this process; 'auto': the cores, when the check is
   * estimated at 10 s or more): the parts dealt to them by cost, and their reports merged into what one
   * process would have written (run/check-jobs.ts).
   */
  jobs?: JobsOption;
  /** Words that load the backends again in a child process, e.g. ['--plugin', './mine.mjs'] (for jobs). */
  replayArgs?: readonly string[];
};

/**
 * What `rnn-harness check` prints and writes: every row, what each backend declared, the likely causes of its failures.
 */
export type CheckReport = {
  /** No row failed, and every backend that was asked for could run. */
  ok: boolean;
  cases: string[];
  /** The parts of the check in the order of its rows: each backend, then 'oracle' (merge orders by it). */
  plan?: string[];
  rows: CheckRow[];
  /** What each backend declared, in one line. */
  capabilities: Record<string, string>;
  oracleSkipped: string[];
  unavailable: BackendInfo[];
  /** The GL renderer of each backend that draws with a GPU API. */
  renderers: Record<string, string>;
  /** Problems that fail nothing but deserve a line (a dispose() that threw). */
  warnings: string[];
  /** How long each part of the plan took, in ms (what --jobs deals the next check by). */
  times?: Record<string, number>;
  /**
   * Per backend whose failures match entries of the bug catalog: those entries, as likely causes. A hint
   * where to look, never a verdict (catalog/signature.ts).
   */
  likelyCauses: Record<string, { name: string; description: string }[]>;
};

/** The cells a check covers: CheckOptions.cell checked, 'all' spelled out. */
export function checkedCells(fn: string, cell: CheckOptions['cell']): Cell[] {
  if (cell === undefined) return ['rnn'];
  if (cell === 'all') return [...CELLS];
  if (!(CELLS as readonly string[]).includes(cell))
    throw invalidArgument(fn, 'options.cell', `one of ${CELLS.join(', ')} or all`, describeValue(cell));
  return [cell];
}

/** A quantity's name in a check of `cell`: 'dwx' for the SimpleRNN, 'lstm dwx' for an LSTM. */
export const cellQuantity = (cell: Cell, quantity: string): string =>
  cell === 'rnn' ? quantity : `${cell} ${quantity}`;

/** Under which name a check's part times are kept (run/costs.ts): each cell and --large cost differently. */
export const checkCostKind = (o: Pick<CheckOptions, 'large' | 'cell'>): string =>
  `check${o.cell === undefined || o.cell === 'rnn' ? '' : `-${o.cell}`}${o.large === true ? '-large' : ''}`;
