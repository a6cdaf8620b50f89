/** The words of the contract that the others are built from: the activations and the precisions. */

/** The activation of a SimpleRNN cell: h_t = f(a_t). */
export type Activation = 'tanh' | 'relu';
/** Every activation, in the order reports show them. */
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu'];

/** The precision a backend computes in, and so the tolerance it is judged by. */
export type Precision = 'float64' | 'float32';
/** Every precision. */
export const PRECISIONS: readonly Precision[] = ['float64', 'float32'];

/** The recurrent cell of a call: the SimpleRNN, an LSTM or a GRU (docs/CONTRACT.md). */
export type Cell = 'rnn' | 'lstm' | 'gru';
/** Every cell, in the order reports show them. */
export const CELLS: readonly Cell[] = ['rnn', 'lstm', 'gru'];

/** How many blocks of H columns a cell's wx, wh and b have: 1, 4 (i, f, g, o) or 3 (r, z, n). */
export const GATES: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

/** A cell's gate blocks by name, in the order of their columns. */
export const GATE_NAMES: Record<Cell, readonly string[]> = {
  rnn: ['a'],
  lstm: ['i', 'f', 'g', 'o'],
  gru: ['r', 'z', 'n'],
};
