/**
 * The piscina worker entry point of the `workers` backend: a pure function of a plain task object.
 * It runs the reference kernels (src/kernels/, the same code as `loops`: the SimpleRNN, the LSTM and the
 * GRU) on the batch rows [from, to), reading inputs from and writing results into SharedArrayBuffers, so
 * nothing is cloned.
 */
import { rnnBackward, rnnForward } from '../src/kernels/simple-rnn.js';
import { lstmBackward, lstmForward } from '../src/kernels/lstm.js';
import { gruBackward, gruForward } from '../src/kernels/gru.js';
import type { GatedArrays, GatedGradients } from '../src/kernels/gated.js';
import { GATES, type Cell } from '../src/core/kinds.js';
import type { Activation, Dims } from '../src/core/rnn.js';

export type SharedInputs = {
  wx: SharedArrayBuffer;
  wh: SharedArrayBuffer;
  b: SharedArrayBuffer;
  x: SharedArrayBuffer;
  h0: SharedArrayBuffer | undefined;
  /** A GRU's recurrent bias [3H] and an LSTM's initial cell state [B,H], when given. */
  bh?: SharedArrayBuffer | undefined;
  c0?: SharedArrayBuffer | undefined;
  /** forward: written; backward: read. [B,T,H] */
  hs: SharedArrayBuffer;
};

export type SharedGradients = {
  dhs: SharedArrayBuffer;
  /** One [F·G] / [H·G] / [G] region per chunk (G = gate blocks · H; bh: a GRU's only), summed by the caller. */
  wx: SharedArrayBuffer;
  wh: SharedArrayBuffer;
  b: SharedArrayBuffer;
  bh?: SharedArrayBuffer;
  /** [B,T,F] and [B,H] (c0: an LSTM's only), each chunk writing its own rows. */
  x: SharedArrayBuffer;
  h0: SharedArrayBuffer;
  c0?: SharedArrayBuffer;
};

export type RnnTask = {
  op: 'forward' | 'backward';
  /** The cell (default 'rnn'), and a GRU's reset placement. */
  cell?: Cell;
  resetAfter?: boolean;
  activation: Activation;
  /** The sizes of the whole call. */
  dims: Dims;
  /** The batch rows of this chunk, and its index (for the per-chunk gradient regions). */
  from: number;
  to: number;
  chunk: number;
  inputs: SharedInputs;
  grads?: SharedGradients;
};

const f64 = (buf: SharedArrayBuffer, offset: number, length: number) => new Float64Array(buf, offset * 8, length);

export default function runRnnTask(task: RnnTask): number {
  const {
    dims: { T, F, H },
    from,
    to,
    chunk,
    inputs: s,
  } = task;
  const cell = task.cell ?? 'rnn';
  const G = GATES[cell] * H;
  const B = to - from;
  const d = { B, T, F, H };
  const arrays: GatedArrays = {
    wx: f64(s.wx, 0, F * G),
    wh: f64(s.wh, 0, H * G),
    b: f64(s.b, 0, G),
    bh: s.bh === undefined ? undefined : f64(s.bh, 0, G),
    x: f64(s.x, from * T * F, B * T * F),
    h0: s.h0 === undefined ? undefined : f64(s.h0, from * H, B * H),
    c0: s.c0 === undefined ? undefined : f64(s.c0, from * H, B * H),
  };
  const hs = f64(s.hs, from * T * H, B * T * H);
  const resetAfter = task.resetAfter ?? true;
  if (task.op === 'forward') {
    if (cell === 'lstm') hs.set(lstmForward(d, arrays).hs);
    else if (cell === 'gru') hs.set(gruForward(d, arrays, resetAfter).hs);
    else rnnForward(d, task.activation, arrays, hs);
    return B;
  }
  const g = task.grads;
  if (g === undefined) throw new Error('rnn-task: a backward task needs grads buffers');
  const dhs = f64(g.dhs, from * T * H, B * T * H);
  const out: GatedGradients = {
    wx: f64(g.wx, chunk * F * G, F * G),
    wh: f64(g.wh, chunk * H * G, H * G),
    b: f64(g.b, chunk * G, G),
    bh: cell === 'gru' && g.bh !== undefined ? f64(g.bh, chunk * G, G) : new Float64Array(0),
    x: f64(g.x, from * T * F, B * T * F),
    h0: f64(g.h0, from * H, B * H),
    c0: cell === 'lstm' && g.c0 !== undefined ? f64(g.c0, from * H, B * H) : new Float64Array(0),
  };
  if (cell === 'lstm') lstmBackward(d, arrays, dhs, out);
  else if (cell === 'gru') gruBackward(d, arrays, resetAfter, dhs, out);
  else rnnBackward(d, task.activation, arrays, hs, dhs, out);
  return B;
}
