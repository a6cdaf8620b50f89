/**
 * The bug catalog: backends with the bugs real scratch-RNN code has. A verification harness is only as
 * good as the bugs it catches; `rnn-harness mutants` runs check and fuzz against every entry and
 * reports which check caught it.
 */
import type { Precision, RnnBackend } from '../core/rnn.js';
import type { Cell } from '../core/kinds.js';
import { GATED_CATALOG } from './gated.js';
import { NotebookBackwardBackend } from './notebook.js';
import { ScratchRnn, type ScratchBug } from './scratch.js';

/** One entry of the bug catalog: a name, the bug in one line, its signature in `check`, and a backend with it. */
export type CatalogEntry = {
  name: string;
  /** The bug, in one line. */
  description: string;
  /**
   * What `check` shows of it: each quantity that fails, and when (see check/diagnosis.ts): 'T>1',
   * 'T>1 or h0', 'every case', 'some cases'. A backend whose failures read the same may have this bug
   * (catalog/signature.ts); test/catalog.test.ts holds every entry to its signature.
   */
  signature: Readonly<Record<string, string>>;
  /** The cell the bug is in, and so the cell it is checked and fuzzed with (undefined: the SimpleRNN). */
  cell?: Cell;
  /** The public report or change a gated bug is modelled on. */
  source?: string;
  /** A backend with the bug; `precision` is what it claims (and the tolerance it is judged by). */
  create(precision?: Precision): RnnBackend;
};

const scratch = (bug: ScratchBug, description: string, signature: Record<string, string>): CatalogEntry => ({
  name: bug,
  description,
  signature,
  create: (precision) => new ScratchRnn(bug, bug, precision),
});

/** The same condition for every gradient. */
const grads = (when: string, keys = ['dwx', 'dwh', 'db', 'dx', 'dh0']) =>
  Object.fromEntries(keys.map((k) => [k, when]));

/** The SimpleRNN's entries: the bugs real scratch-RNN code has. */
const SIMPLE_CATALOG: readonly CatalogEntry[] = [
  {
    name: 'notebook-problem3',
    description:
      "the notebook's Problem 3 backward as written: last step's dA at every step, features for time, h_n for h_{n-1}, Wh for Whᵀ, accumulators never reset",
    signature: { dwx: 'some cases', dwh: 'every case', db: 'some cases', dx: 'T>1 or relu', dh0: 'every case' },
    create: (precision) => new NotebookBackwardBackend(precision),
  },
  scratch(
    'overwritten-weight-grads',
    'dwx, dwh and db are overwritten at each time step instead of accumulated over time',
    grads('T>1', ['dwx', 'dwh', 'db']),
  ),
  scratch('dwh-uses-h-t', 'dwh accumulates h_tᵀ·da_t where h_{t-1}ᵀ·da_t belongs', { dwh: 'every case' }),
  scratch(
    'output-grad-every-step',
    "a many-to-one model's output gradient (the last step's) is added at every step",
    grads('T>1'),
  ),
  scratch(
    'no-recurrent-carry',
    'the gradient through the recurrence (da_t·whᵀ) is not carried back to step t-1',
    grads('T>1'),
  ),
  scratch('tanh-derivative-twice', "tanh's derivative 1 - h² is applied twice", grads('tanh')),
  scratch('backward-loop-forward-in-time', 'the backward loop runs t = 0 … T-1 instead of T-1 … 0', grads('T>1')),
  scratch('wh-transposed', 'h_{t-1}·whᵀ is used where h_{t-1}·wh belongs (forward and backward)', {
    hs: 'T>1 or h0',
    ...grads('T>1', ['dwx', 'dwh', 'db', 'dx']),
    dh0: 'every case',
  }),
  scratch('bias-grad-averaged', 'db is averaged over the batch instead of summed', { db: 'B>1' }),
  scratch('h0-ignored', 'the initial state h0 is ignored: zeros in forward, no dh0', {
    hs: 'h0',
    dwh: 'h0',
    dh0: 'every case',
  }),
  scratch(
    'float32-accumulation',
    'a float64 backend accumulates dwx, dwh and db in float32',
    grads('every case', ['dwx', 'dwh', 'db']),
  ),
  scratch('overflowing-tanh', 'tanh computed as (e^{2a} - 1)/(e^{2a} + 1), NaN once e^{2a} overflows (a > 354)', {
    hs: 'saturated',
  }),
];

/**
 * The bug catalog: backends with the bugs real scratch-RNN code has, then LSTM and GRU bugs modelled on
 * public reports (gated.ts), each with its signature in `check`.
 */
export const CATALOG: readonly CatalogEntry[] = [...SIMPLE_CATALOG, ...GATED_CATALOG];

/** The cell an entry is checked with. */
export const cellOf = (e: CatalogEntry): Cell => e.cell ?? 'rnn';

/** The catalog's scaffolding without a bug: it must pass everything, or a catch proves nothing. */
export const correctScratch = (precision?: Precision): RnnBackend =>
  new ScratchRnn('scratch-correct', undefined, precision);
