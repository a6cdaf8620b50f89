/**
 * The bug catalog's gated cells: LSTM and GRU bugs modelled on ones merged or reported in public
 * projects, each with its source. Each is one changed line of a from-scratch cell (lstm-scratch.ts,
 * gru-scratch.ts); `signature` is what `check --cell lstm|gru` shows of it (see index.ts).
 */
import type { Precision, RnnBackend } from '../core/rnn.js';
import { ScratchGru, type GruBug } from './gru-scratch.js';
import { ScratchLstm, type LstmBug } from './lstm-scratch.js';

/** One gated entry: the fields of a CatalogEntry (index.ts), its cell, and where the bug was seen. */
export type GatedEntry = {
  name: LstmBug | GruBug;
  cell: 'lstm' | 'gru';
  description: string;
  /** The public report or change the bug is modelled on. */
  source: string;
  signature: Readonly<Record<string, string>>;
  create(precision?: Precision): RnnBackend;
};

const lstm = (name: LstmBug, description: string, source: string, signature: Record<string, string>): GatedEntry => ({
  name,
  cell: 'lstm',
  description,
  source,
  signature,
  create: (precision) => new ScratchLstm(name, name, precision),
});

const gru = (name: GruBug, description: string, source: string, signature: Record<string, string>): GatedEntry => ({
  name,
  cell: 'gru',
  description,
  source,
  signature,
  create: (precision) => new ScratchGru(name, name, precision),
});

/** The same condition for every listed quantity. */
const all = (when: string, keys: string[]) => Object.fromEntries(keys.map((k) => [k, when]));
const LSTM_ALL = ['hs', 'dwx', 'dwh', 'db', 'dx', 'dh0', 'dc0'];
const GRU_ALL = ['hs', 'dwx', 'dwh', 'db', 'dbh', 'dx', 'dh0'];

export const GATED_CATALOG: readonly GatedEntry[] = [
  lstm(
    'lstm-gates-share-output-bias',
    "the input, forget and candidate gates add the output gate's bias b_o instead of their own",
    'numpy-ml#42 (+ bo copied into every gate)',
    all('every case', LSTM_ALL),
  ),
  lstm(
    'lstm-bias-grads-from-forget-gate',
    "the input and output gates' bias gradients are taken from the forget gate's delta",
    'hanbt/learn_dl#53',
    { db: 'every case' },
  ),
  lstm(
    'lstm-output-gate-delta-without-tanh',
    "the output gate's delta uses c_t where tanh(c_t) belongs: dh ⊙ c_t ⊙ o(1 − o)",
    'cuTAGI#77, #78 (the wrong delta propagated through the output gate)',
    { ...all('every case', ['dwx', 'dwh', 'db', 'dx', 'dh0']), dc0: 'T>1' },
  ),
  lstm('lstm-bias-grad-lost', 'the bias gradient db is never accumulated: the bias does not learn', 'burn#5235', {
    db: 'every case',
  }),
  lstm(
    'lstm-cell-grad-not-carried',
    "the cell state's gradient from step t+1 is dropped, as if that upstream gradient were omitted",
    'chainer#8037 (LSTM backward wrong when an upstream gradient is omitted)',
    all('T>1', LSTM_ALL.slice(1)),
  ),
  lstm(
    'lstm-forget-bias-added-twice',
    'the forget bias is added twice to every sample but the first, as two threads racing would',
    'libxsmm#284 (a missing barrier when adding the forget bias in a parallel forward)',
    { ...all('some cases', LSTM_ALL.slice(0, 6)), dc0: 'B>1' },
  ),
  lstm(
    'lstm-gate-order-iofc',
    "the weights read in ONNX's gate order i, o, f, c where the contract has PyTorch's i, f, g, o",
    "ONNX LSTM's iofc against PyTorch's ifgo",
    all('every case', LSTM_ALL),
  ),
  gru(
    'gru-reset-before-when-after',
    'with resetAfter the new gate applies the reset before the product, (r ⊙ h)·wh_n, not r ⊙ (h·wh_n + bh_n)',
    'burn#2704 (GRU new gate did not match PyTorch)',
    all('reset after', GRU_ALL),
  ),
  gru(
    'gru-recurrent-bias-ignored',
    'the second (recurrent) bias bh is ignored: zeros in forward, no dbh',
    'keras#15915, nntrainer#1644 (reset_after and its second bias)',
    all('every case', GRU_ALL),
  ),
  gru(
    'gru-gate-order-zrn',
    "the weights read in Keras's gate order z, r, h where the contract has PyTorch's r, z, n",
    "Keras GRU's zrh against PyTorch's rzn",
    all('every case', GRU_ALL),
  ),
  gru(
    'gru-update-gate-flipped',
    'h_t = z ⊙ n + (1 − z) ⊙ h_{t−1}: the update gate the other way round from the contract',
    'Cho et al. 2014 against Chung et al. 2014 and PyTorch: the two conventions for z',
    all('every case', GRU_ALL),
  ),
];
