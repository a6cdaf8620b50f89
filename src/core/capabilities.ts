/**
 * What a backend declares it does, so that the harness checks exactly that and shows the rest as "not
 * supported" or "not provided", never as a pass. A learner's scratch RNN often supports only tanh,
 * returns only dwx, dwh and db, reads only the last step's upstream gradient (a many-to-one model) and
 * always starts from zeros: each of these is a declaration, on a BackendEntry or on the created backend
 * (the backend's win, e.g. an exec backend that learns them from its child's handshake).
 */
import { describeValue, invalidArgument } from './errors.js';
import { ACTIVATIONS, CELLS, type Activation, type Cell } from './kinds.js';

/** A gradient a backward returns, by the name of its input: wx, wh, b, x, h0, and bh (GRU) or c0 (LSTM). */
export type GradientKey = SimpleGradientKey | 'bh' | 'c0';
/** A gradient every cell has: the SimpleRNN's five. */
export type SimpleGradientKey = 'wx' | 'wh' | 'b' | 'x' | 'h0';
/** The gradients of the SimpleRNN, in the order every table shows them. */
export const GRADIENT_KEYS: readonly SimpleGradientKey[] = ['wx', 'wh', 'b', 'x', 'h0'];
/** Every gradient of every cell, in the order every table shows them. */
export const ALL_GRADIENT_KEYS: readonly GradientKey[] = ['wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0'];

/**
 * The shape of every gradient of a call with batch B, steps T, features F, hidden size H and G columns
 * in each weight (H, 4H or 3H: the cell's gate blocks side by side).
 */
export function gradientShapes(d: {
  B: number;
  T: number;
  F: number;
  H: number;
  G: number;
}): Record<GradientKey, number[]> {
  const { B, T, F, H, G } = d;
  return { wx: [F, G], wh: [H, G], b: [G], bh: [G], x: [B, T, F], h0: [B, H], c0: [B, H] };
}

/** The gradients of a cell: the SimpleRNN's five, and bh for a GRU or c0 for an LSTM. */
export function gradientKeys(cell: Cell = 'rnn'): readonly GradientKey[] {
  return ALL_GRADIENT_KEYS.filter((k) => (k !== 'bh' || cell === 'gru') && (k !== 'c0' || cell === 'lstm'));
}

/** What a backend declares it implements, resolved with the defaults (everything, but validating input). */
export type Capabilities = {
  /** The cells the backend implements (default: the SimpleRNN only); the others are shown as not supported. */
  cells: readonly Cell[];
  /** Whether a GRU declared in `cells` also has the reset gate before the product (resetAfter: false; default true). */
  gruResetBefore: boolean;
  /** The SimpleRNN's activations the backend implements (default both). */
  activations: readonly Activation[];
  /** The gradients backward returns (default all; none: forward only); the others may be absent or null. */
  gradients: readonly GradientKey[];
  /** Backward reads only dhs[:, T-1] (a many-to-one model): checked with dhs zero elsewhere (default false). */
  lastStepOnly: boolean;
  /**
   * The backend uses options.h0, and an LSTM's c0 (default true); false: it always starts from zeros, and
   * dh0 and dc0 are not checked.
   */
  initialState: boolean;
  /**
   * The backend refuses bad input (wrong shapes, NaN, an unknown activation) with an error, as
   * checkForward / checkBackward do (default false). The conformance suite tests the refusals only when
   * declared; whatever is declared, bad input must not hang a backend or change the caller's arrays.
   * The harness's own guard refuses bad input before any call, so check and fuzz never send it.
   */
  validatesInput: boolean;
};

/** The optional fields a BackendEntry or an RnnBackend may carry. */
export type CapabilityDeclarations = {
  readonly cells?: readonly Cell[];
  readonly gruResetBefore?: boolean;
  readonly activations?: readonly Activation[];
  readonly gradients?: readonly GradientKey[];
  readonly lastStepOnly?: boolean;
  readonly initialState?: boolean;
  readonly validatesInput?: boolean;
};

export const FULL_CAPABILITIES: Capabilities = {
  cells: ['rnn'],
  gruResetBefore: true,
  activations: ACTIVATIONS,
  gradients: ALL_GRADIENT_KEYS,
  lastStepOnly: false,
  initialState: true,
  validatesInput: false,
};

function subset<T extends string>(
  fn: string,
  arg: string,
  v: unknown,
  known: readonly T[],
  allowEmpty = false,
): readonly T[] | undefined {
  if (v === undefined) return undefined;
  const ok =
    Array.isArray(v) &&
    (allowEmpty || v.length > 0) &&
    v.every((a) => known.includes(a as T)) &&
    new Set(v).size === v.length;
  if (!ok) {
    const got = Array.isArray(v) ? `[${v.map((a) => describeValue(a)).join(', ')}]` : describeValue(v);
    throw invalidArgument(
      fn,
      arg,
      `a${allowEmpty ? 'n' : ' non-empty'} array of distinct values from ${known.map((k) => `'${k}'`).join(', ')}`,
      got,
    );
  }
  // In the contract's order, whatever order was declared.
  return known.filter((k) => (v as T[]).includes(k));
}

function flag(fn: string, arg: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw invalidArgument(fn, arg, 'true or false', describeValue(v));
}

/** Checks the declaration fields of `d` (an entry or a backend); `what` prefixes the argument names. */
export function checkDeclarations(fn: string, what: string, d: CapabilityDeclarations): CapabilityDeclarations {
  const cells = subset(fn, `${what}.cells`, d.cells, CELLS);
  const gruResetBefore = flag(fn, `${what}.gruResetBefore`, d.gruResetBefore);
  const activations = subset(fn, `${what}.activations`, d.activations, ACTIVATIONS);
  // No gradients at all is a forward-only backend: every gradient row is then "not provided".
  const gradients = subset(fn, `${what}.gradients`, d.gradients, ALL_GRADIENT_KEYS, true);
  const lastStepOnly = flag(fn, `${what}.lastStepOnly`, d.lastStepOnly);
  const initialState = flag(fn, `${what}.initialState`, d.initialState);
  const validatesInput = flag(fn, `${what}.validatesInput`, d.validatesInput);
  return {
    ...(cells && { cells }),
    ...(gruResetBefore !== undefined && { gruResetBefore }),
    ...(activations && { activations }),
    ...(gradients && { gradients }),
    ...(lastStepOnly !== undefined && { lastStepOnly }),
    ...(initialState !== undefined && { initialState }),
    ...(validatesInput !== undefined && { validatesInput }),
  };
}

/** The capabilities that hold: the defaults, overridden by each declaration in turn (entry, then backend). */
export function resolveCapabilities(...declarations: (CapabilityDeclarations | undefined)[]): Capabilities {
  const caps = { ...FULL_CAPABILITIES };
  for (const d of declarations) {
    if (d === undefined) continue;
    if (d.cells !== undefined) caps.cells = d.cells;
    if (d.gruResetBefore !== undefined) caps.gruResetBefore = d.gruResetBefore;
    if (d.activations !== undefined) caps.activations = d.activations;
    if (d.gradients !== undefined) caps.gradients = d.gradients;
    if (d.lastStepOnly !== undefined) caps.lastStepOnly = d.lastStepOnly;
    if (d.initialState !== undefined) caps.initialState = d.initialState;
    if (d.validatesInput !== undefined) caps.validatesInput = d.validatesInput;
  }
  return caps;
}

/**
 * The gradients the harness compares for a cell: the declared ones of the cell, without dh0 and dc0 when h0
 * is not supported.
 */
export function checkedGradients(caps: Capabilities, cell: Cell = 'rnn'): GradientKey[] {
  const keys = gradientKeys(cell);
  return caps.gradients.filter((k) => keys.includes(k) && ((k !== 'h0' && k !== 'c0') || caps.initialState));
}

/** One thing the harness leaves out for a backend, and why: a visible row of every report. */
export type Gap = {
  /** What is left out: 'lstm', 'gru', 'tanh', 'relu', 'd<key>', 'h0 given', 'dhs before the last step'. */
  what: string;
  status: 'not supported' | 'not provided';
  reason: string;
};

/**
 * What the declarations leave out of a check of `cells` (default: the SimpleRNN), each with its reason: a
 * cell it does not implement, and within the cells it does, activations, h0 and gradients.
 */
export function capabilityGaps(caps: Capabilities, cells: readonly Cell[] = ['rnn']): Gap[] {
  const gaps: Gap[] = [];
  for (const c of cells) {
    if (!caps.cells.includes(c))
      gaps.push({ what: c, status: 'not supported', reason: `the backend declares cells: ${caps.cells.join(', ')}` });
  }
  const checked = cells.filter((c) => caps.cells.includes(c));
  if (checked.includes('gru') && !caps.gruResetBefore) {
    gaps.push({
      what: 'gru resetAfter: false',
      status: 'not supported',
      reason: 'the backend declares gruResetBefore: false (it has only the reset gate after the product)',
    });
  }
  const declared = caps.activations.join(', ');
  for (const a of checked.includes('rnn') ? ACTIVATIONS : []) {
    if (!caps.activations.includes(a))
      gaps.push({ what: a, status: 'not supported', reason: `the backend declares activations: ${declared}` });
  }
  if (!caps.initialState && checked.length > 0)
    gaps.push({
      what: 'h0 given',
      status: 'not supported',
      reason: 'the backend declares initialState: false (it starts from zeros)',
    });
  const keys = ALL_GRADIENT_KEYS.filter((k) => checked.some((c) => gradientKeys(c).includes(k)));
  for (const k of keys) {
    const state = k === 'h0' || k === 'c0';
    if (caps.gradients.includes(k) && (!state || caps.initialState)) continue;
    const reason = caps.gradients.includes(k)
      ? `without ${k} there is no d${k} to check`
      : `the backend declares gradients: ${caps.gradients.join(', ') || 'none (forward only)'}`;
    gaps.push({ what: `d${k}`, status: 'not provided', reason });
  }
  if (caps.lastStepOnly)
    gaps.push({
      what: 'dhs before the last step',
      status: 'not provided',
      reason: "the backend declares lastStepOnly: backward reads only the last step's dhs",
    });
  return gaps;
}

/** A one-line summary, e.g. "activations relu; gradients dwx, dwh, db; last step only; h0 = 0". */
export function describeCapabilities(caps: Capabilities): string {
  const gradients = ALL_GRADIENT_KEYS.filter((k) => caps.cells.some((c) => checkedGradients(caps, c).includes(k)));
  const parts = [
    ...(caps.cells.length === 1 && caps.cells[0] === 'rnn'
      ? []
      : [
          `cells ${caps.cells.join(', ')}${caps.cells.includes('gru') && !caps.gruResetBefore ? ' (gru reset after only)' : ''}`,
        ]),
    `activations ${caps.activations.join(', ')}`,
    `gradients ${gradients.map((k) => `d${k}`).join(', ') || 'none'}`,
  ];
  if (caps.lastStepOnly) parts.push('last step only');
  if (!caps.initialState) parts.push('h0 = 0');
  return parts.join('; ');
}
