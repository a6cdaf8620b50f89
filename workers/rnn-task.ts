/**
 * The piscina worker entry point of the `workers` backend: a pure function of a plain task object.
 * It runs the reference kernel (src/kernels/simple-rnn.ts, the same code as `loops`) on the batch rows
 * [from, to), reading inputs from and writing results into SharedArrayBuffers, so nothing is cloned.
 */
import { rnnBackward, rnnForward } from '../src/kernels/simple-rnn.js';
import type { Activation, Dims } from '../src/core/rnn.js';

export type SharedInputs = {
  wx: SharedArrayBuffer;
  wh: SharedArrayBuffer;
  b: SharedArrayBuffer;
  x: SharedArrayBuffer;
  h0: SharedArrayBuffer | undefined;
  /** forward: written; backward: read. [B,T,H] */
  hs: SharedArrayBuffer;
};

export type SharedGradients = {
  dhs: SharedArrayBuffer;
  /** One [F·H] / [H·H] / [H] region per chunk, summed by the caller. */
  wx: SharedArrayBuffer;
  wh: SharedArrayBuffer;
  b: SharedArrayBuffer;
  /** [B,T,F] and [B,H], each chunk writing its own rows. */
  x: SharedArrayBuffer;
  h0: SharedArrayBuffer;
};

export type RnnTask = {
  op: 'forward' | 'backward';
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
  const B = to - from;
  const d = { B, T, F, H };
  const arrays = {
    wx: f64(s.wx, 0, F * H),
    wh: f64(s.wh, 0, H * H),
    b: f64(s.b, 0, H),
    x: f64(s.x, from * T * F, B * T * F),
    h0: s.h0 === undefined ? undefined : f64(s.h0, from * H, B * H),
  };
  const hs = f64(s.hs, from * T * H, B * T * H);
  if (task.op === 'forward') {
    rnnForward(d, task.activation, arrays, hs);
    return B;
  }
  const g = task.grads;
  if (g === undefined) throw new Error('rnn-task: a backward task needs grads buffers');
  rnnBackward(d, task.activation, arrays, hs, f64(g.dhs, from * T * H, B * T * H), {
    wx: f64(g.wx, chunk * F * H, F * H),
    wh: f64(g.wh, chunk * H * H, H * H),
    b: f64(g.b, chunk * H, H),
    x: f64(g.x, from * T * F, B * T * F),
    h0: f64(g.h0, from * H, B * H),
  });
  return B;
}
