import type { CapabilityDeclarations, GradientKey } from './capabilities.js';
import { describeValue, invalidArgument, mismatch, RnnInputError } from './errors.js';
import { checkTensor, type Tensor } from './tensor.js';

import { ACTIVATIONS, CELLS, GATES, type Activation, type Cell, type Precision } from './kinds.js';

export {
  ACTIVATIONS,
  CELLS,
  GATES,
  GATE_NAMES,
  PRECISIONS,
  type Activation,
  type Cell,
  type Precision,
} from './kinds.js';

/**
 * The parameters of a cell: wx [F,G·H], wh [H,G·H] and b [G·H], G = 1 (rnn), 4 (lstm: i, f, g, o) or 3
 * (gru: r, z, n); and, for a GRU only, its recurrent bias bh [3H].
 */
export type RnnParams = { wx: Tensor; wh: Tensor; b: Tensor; bh?: Tensor };
/**
 * The options of a call: the cell ('rnn' by default); for 'rnn' the activation (tanh by default); for a
 * GRU, where the reset gate applies (resetAfter, true by default); the initial state h0, and for an LSTM
 * its cell state c0 (zeros when absent).
 */
export type RnnOptions = { cell?: Cell; activation?: Activation; h0?: Tensor; c0?: Tensor; resetAfter?: boolean };
/**
 * The gradients of L = Σ dhs ⊙ hs with respect to every input of a call: wx, wh, b, x and h0; and bh for a
 * GRU, c0 for an LSTM.
 */
export type RnnGradients = { wx: Tensor; wh: Tensor; b: Tensor; x: Tensor; h0: Tensor; bh?: Tensor; c0?: Tensor };

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

/**
 * A validated call: its sizes, cell, activation (tanh for a gated cell, which has its own), where a GRU's
 * reset gate applies, and h0 and c0 (undefined means zeros).
 */
export type CheckedCall = Dims & {
  cell: Cell;
  activation: Activation;
  resetAfter: boolean;
  h0: Tensor | undefined;
  c0: Tensor | undefined;
};

const CELL_NAME: Record<Cell, string> = { rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' };
const BLOCKS: Record<Cell, string> = { rnn: '', lstm: ' (gate blocks i, f, g, o)', gru: ' (gate blocks r, z, n)' };

type Options = { cell: Cell; activation: Activation; resetAfter: boolean; h0: unknown; c0: unknown };

function checkOptions(fn: string, o: unknown): Options {
  if (o === undefined) return { cell: 'rnn', activation: 'tanh', resetAfter: true, h0: undefined, c0: undefined };
  if (typeof o !== 'object' || o === null)
    throw invalidArgument(fn, 'options', 'an object or undefined', describeValue(o));
  const { cell = 'rnn', activation, h0, c0, resetAfter } = o as Record<string, unknown>;
  if (!CELLS.includes(cell as Cell)) {
    throw invalidArgument(fn, 'options.cell', `one of ${CELLS.map((c) => `'${c}'`).join(', ')}`, describeValue(cell));
  }
  const name = CELL_NAME[cell as Cell];
  if (cell !== 'rnn' && activation !== undefined) {
    throw new RnnInputError(
      `${fn}: options.activation is for the SimpleRNN; an ${name} has its own (sigmoid gates, tanh): leave it out; got ${describeValue(activation)}`,
    );
  }
  if (activation !== undefined && !ACTIVATIONS.includes(activation as Activation)) {
    throw invalidArgument(
      fn,
      'options.activation',
      `one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`,
      describeValue(activation),
    );
  }
  if (resetAfter !== undefined && cell !== 'gru') {
    throw new RnnInputError(
      `${fn}: options.resetAfter is for a GRU; this call's cell is '${cell as string}': leave it out`,
    );
  }
  if (resetAfter !== undefined && typeof resetAfter !== 'boolean') {
    throw invalidArgument(fn, 'options.resetAfter', 'true or false', describeValue(resetAfter));
  }
  if (c0 !== undefined && cell !== 'lstm') {
    throw new RnnInputError(
      `${fn}: options.c0 is an LSTM's initial cell state; this call's cell is '${cell as string}': leave it out`,
    );
  }
  return {
    cell: cell as Cell,
    activation: (activation ?? 'tanh') as Activation,
    resetAfter: resetAfter !== false,
    h0,
    c0,
  };
}

function same(fn: string, a: string, av: number | undefined, b: string, bv: number | undefined, meaning: string): void {
  if (av !== bv) throw mismatch(fn, a, av as number, b, bv as number, meaning);
}

/** A gated cell's weight: its columns must be G·H, with the blocks named, and the fix. */
function gatedColumns(fn: string, cell: Cell, arg: string, t: Tensor, axis: number, H: number, shape: string): void {
  const G = GATES[cell];
  if (t.shape[axis] !== G * H) {
    throw new RnnInputError(
      `${fn}: ${arg}.shape[${axis}] = ${t.shape[axis]} must equal ${G}·H = ${G * H} for an ${CELL_NAME[cell]}${BLOCKS[cell]}, ` +
        `with H = ${H} from wh.shape[0]: give ${arg} as ${shape}`,
    );
  }
}

/**
 * Validates the arguments of a forward call before any work: ranks, shapes that agree (for a gated cell,
 * G·H columns), data lengths, finite values, known options. `fn` names the caller in the error, e.g.
 * 'loops.forward'.
 */
export function checkForward(fn: string, p: RnnParams, x: Tensor, o?: RnnOptions): CheckedCall {
  if (typeof p !== 'object' || p === null)
    throw invalidArgument(fn, 'params', 'an object {wx, wh, b}', describeValue(p));
  checkTensor(fn, 'x', x, 3);
  checkTensor(fn, 'wx', p.wx, 2);
  checkTensor(fn, 'wh', p.wh, 2);
  checkTensor(fn, 'b', p.b, 1);
  const opts = checkOptions(fn, o);
  const { cell } = opts;
  const [B, T, F] = x.shape as [number, number, number];
  let H: number;
  if (cell === 'rnn') {
    if (p.bh !== undefined)
      throw new RnnInputError(
        `${fn}: params.bh is a GRU's recurrent bias; the SimpleRNN has one bias, b: leave bh out`,
      );
    H = p.wx.shape[1] as number;
    same(fn, 'x.shape[2]', F, 'wx.shape[0]', p.wx.shape[0], 'features');
    same(fn, 'wh.shape[0]', p.wh.shape[0], 'wx.shape[1]', H, 'hidden units');
    same(fn, 'wh.shape[1]', p.wh.shape[1], 'wx.shape[1]', H, 'hidden units');
    same(fn, 'b.shape[0]', p.b.shape[0], 'wx.shape[1]', H, 'hidden units');
  } else {
    H = p.wh.shape[0] as number;
    const G = GATES[cell];
    same(fn, 'x.shape[2]', F, 'wx.shape[0]', p.wx.shape[0], 'features');
    gatedColumns(fn, cell, 'wx', p.wx, 1, H, `[F, ${G}H] = [${F}, ${G * H}]`);
    gatedColumns(fn, cell, 'wh', p.wh, 1, H, `[H, ${G}H] = [${H}, ${G * H}]`);
    gatedColumns(fn, cell, 'b', p.b, 0, H, `[${G}H] = [${G * H}]`);
    if (cell === 'gru') {
      if (p.bh === undefined) {
        throw new RnnInputError(
          `${fn}: params.bh, the GRU's recurrent bias [3H] = [${3 * H}], is required (zeros if your GRU has none)`,
        );
      }
      checkTensor(fn, 'bh', p.bh, 1);
      gatedColumns(fn, cell, 'bh', p.bh, 0, H, `[3H] = [${3 * H}]`);
    } else if (p.bh !== undefined) {
      throw new RnnInputError(`${fn}: params.bh is a GRU's recurrent bias; an LSTM has one bias, b [4H]: leave bh out`);
    }
  }
  for (const [name, t] of [
    ['h0', opts.h0],
    ['c0', opts.c0],
  ] as const) {
    if (t === undefined) continue;
    checkTensor(fn, `options.${name}`, t, 2);
    same(fn, `options.${name}.shape[0]`, t.shape[0], 'x.shape[0]', B, 'batch');
    same(fn, `options.${name}.shape[1]`, t.shape[1], cell === 'rnn' ? 'wx.shape[1]' : 'wh.shape[0]', H, 'hidden units');
  }
  return {
    B,
    T,
    F,
    H,
    cell,
    activation: opts.activation,
    resetAfter: opts.resetAfter,
    h0: opts.h0 as Tensor | undefined,
    c0: opts.c0 as Tensor | undefined,
  };
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
    same(
      fn,
      `${name}.shape[2]`,
      t.shape[2],
      call.cell === 'rnn' ? 'wx.shape[1]' : 'wh.shape[0]',
      call.H,
      'hidden units',
    );
  }
  return call;
}

/** Every input of a call a gradient is taken with respect to, by its gradient's name (GradientKey). */
export type CallInputs = Partial<Record<GradientKey, Tensor>>;

/**
 * The inputs of a validated call by their gradients' names: wx, wh, b, x and h0, and bh for a GRU, c0
 * for an LSTM; an h0 or c0 not given is zeros [B,H] (a gradient is still taken there).
 */
export function callInputs(call: CheckedCall, p: RnnParams, x: Tensor): CallInputs {
  const zeros = (): Tensor => ({ shape: [call.B, call.H], data: new Float64Array(call.B * call.H) });
  return {
    wx: p.wx,
    wh: p.wh,
    b: p.b,
    ...(call.cell === 'gru' && p.bh !== undefined ? { bh: p.bh } : {}),
    x,
    h0: call.h0 ?? zeros(),
    ...(call.cell === 'lstm' ? { c0: call.c0 ?? zeros() } : {}),
  };
}

/** The parameters, input and options of a call made of `inputs` (from callInputs), with the call's cell and options. */
export function callOf(call: CheckedCall, inputs: CallInputs): { params: RnnParams; x: Tensor; options: RnnOptions } {
  const need = (k: GradientKey): Tensor => {
    const t = inputs[k];
    if (t === undefined) throw new RnnInputError(`callOf: the inputs of a ${call.cell} call need ${k}`);
    return t;
  };
  const params: RnnParams = {
    wx: need('wx'),
    wh: need('wh'),
    b: need('b'),
    ...(call.cell === 'gru' ? { bh: need('bh') } : {}),
  };
  const options: RnnOptions =
    call.cell === 'rnn'
      ? { activation: call.activation, h0: need('h0') }
      : call.cell === 'lstm'
        ? { cell: 'lstm', h0: need('h0'), c0: need('c0') }
        : { cell: 'gru', resetAfter: call.resetAfter, h0: need('h0') };
  return { params, x: need('x'), options };
}

/** The gradient `k` of a backward's answer; an Error naming the backend when it is missing. */
export function gradientOf(g: RnnGradients, k: GradientKey, backend: string): Tensor {
  const t = g[k];
  if (t === undefined || t === null) throw new Error(`${backend}.backward returned no d${k}`);
  return t;
}
