import type { CapabilityDeclarations } from './capabilities.js';
import { describeValue, invalidArgument, mismatch } from './errors.js';
import { checkTensor, type Tensor } from './tensor.js';

import { ACTIVATIONS, type Activation, type Precision } from './kinds.js';

export { ACTIVATIONS, PRECISIONS, type Activation, type Precision } from './kinds.js';

/** The parameters of a SimpleRNN: wx [F,H], wh [H,H] and b [H]. */
export type RnnParams = { wx: Tensor; wh: Tensor; b: Tensor };
/** The options of a call: the activation (tanh by default) and the initial state h0 (zeros when absent). */
export type RnnOptions = { activation?: Activation; h0?: Tensor };
/** The gradients of L = Σ dhs ⊙ hs with respect to every input of a call. */
export type RnnGradients = { wx: Tensor; wh: Tensor; b: Tensor; x: Tensor; h0: Tensor };

/**
 * One SimpleRNN implementation of the math contract (docs/CONTRACT.md). It may declare what
 * it supports (activations, gradients, lastStepOnly, initialState); a declaration here wins over its
 * registry entry's.
 */
export interface RnnBackend extends CapabilityDeclarations {
  readonly name: string;
  readonly precision: Precision;
  /** All hidden states hs [B,T,H]. */
  forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor>;
  /** Gradients of L = Σ dhs ⊙ hs with respect to every input. */
  backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients>;
  dispose(): Promise<void>;
  /**
   * Optional, for a backend in another process: its own time for each of `repeat` calls of `op` (forward,
   * or forward then backward), measured where it runs, so that bench can show the cost of the pipe.
   */
  timeInProcess?(
    op: 'forward' | 'train',
    p: RnnParams,
    x: Tensor,
    dhs: Tensor,
    o: RnnOptions | undefined,
    repeat: number,
  ): Promise<number[]>;
}

/** The sizes of one call: batch, time steps, features, hidden units. */
export type Dims = { B: number; T: number; F: number; H: number };

/** A validated call: its sizes, activation, and h0 (undefined means zeros). */
export type CheckedCall = Dims & { activation: Activation; h0: Tensor | undefined };

function checkOptions(fn: string, o: unknown): { activation: Activation; h0: unknown } {
  if (o === undefined) return { activation: 'tanh', h0: undefined };
  if (typeof o !== 'object' || o === null)
    throw invalidArgument(fn, 'options', 'an object or undefined', describeValue(o));
  const { activation = 'tanh', h0 } = o as { activation?: unknown; h0?: unknown };
  if (!ACTIVATIONS.includes(activation as Activation)) {
    throw invalidArgument(
      fn,
      'options.activation',
      `one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`,
      describeValue(activation),
    );
  }
  return { activation: activation as Activation, h0 };
}

function same(fn: string, a: string, av: number | undefined, b: string, bv: number | undefined, meaning: string): void {
  if (av !== bv) throw mismatch(fn, a, av as number, b, bv as number, meaning);
}

/**
 * Validates the arguments of a forward call before any work: ranks, shapes that agree, data lengths,
 * finite values, a known activation. `fn` names the caller in the error, e.g. 'loops.forward'.
 */
export function checkForward(fn: string, p: RnnParams, x: Tensor, o?: RnnOptions): CheckedCall {
  if (typeof p !== 'object' || p === null)
    throw invalidArgument(fn, 'params', 'an object {wx, wh, b}', describeValue(p));
  checkTensor(fn, 'x', x, 3);
  checkTensor(fn, 'wx', p.wx, 2);
  checkTensor(fn, 'wh', p.wh, 2);
  checkTensor(fn, 'b', p.b, 1);
  const [B, T, F] = x.shape as [number, number, number];
  const H = p.wx.shape[1] as number;
  same(fn, 'x.shape[2]', F, 'wx.shape[0]', p.wx.shape[0], 'features');
  same(fn, 'wh.shape[0]', p.wh.shape[0], 'wx.shape[1]', H, 'hidden units');
  same(fn, 'wh.shape[1]', p.wh.shape[1], 'wx.shape[1]', H, 'hidden units');
  same(fn, 'b.shape[0]', p.b.shape[0], 'wx.shape[1]', H, 'hidden units');
  const { activation, h0 } = checkOptions(fn, o);
  if (h0 !== undefined) {
    checkTensor(fn, 'options.h0', h0, 2);
    same(fn, 'options.h0.shape[0]', h0.shape[0], 'x.shape[0]', B, 'batch');
    same(fn, 'options.h0.shape[1]', h0.shape[1], 'wx.shape[1]', H, 'hidden units');
  }
  return { B, T, F, H, activation, h0: h0 as Tensor | undefined };
}

/** Validates a backward call: everything `checkForward` checks, plus hs and dhs of shape [B,T,H]. */
export function checkBackward(
  fn: string,
  p: RnnParams,
  x: Tensor,
  hs: Tensor,
  dhs: Tensor,
  o?: RnnOptions,
): CheckedCall {
  const call = checkForward(fn, p, x, o);
  for (const [name, t] of [
    ['hs', hs],
    ['dhs', dhs],
  ] as const) {
    checkTensor(fn, name, t, 3);
    same(fn, `${name}.shape[0]`, t.shape[0], 'x.shape[0]', call.B, 'batch');
    same(fn, `${name}.shape[1]`, t.shape[1], 'x.shape[1]', call.T, 'time steps');
    same(fn, `${name}.shape[2]`, t.shape[2], 'wx.shape[1]', call.H, 'hidden units');
  }
  return call;
}
