/**
 * What a backend declares it does, so that the harness checks exactly that and shows the rest as "not
 * supported" or "not provided", never as a pass. A learner's scratch RNN often supports only tanh,
 * returns only dwx, dwh and db, reads only the last step's upstream gradient (a many-to-one model) and
 * always starts from zeros: each of these is a declaration, on a BackendEntry or on the created backend
 * (the backend's win, e.g. an exec backend that learns them from its child's handshake).
 */
import { describeValue, invalidArgument } from './errors.js';
import { ACTIVATIONS, type Activation } from './kinds.js';

/** A gradient a backward returns, by the name of its input: wx, wh, b, x or h0. */
export type GradientKey = 'wx' | 'wh' | 'b' | 'x' | 'h0';
/** The gradients of the contract, in the order every table shows them. */
export const GRADIENT_KEYS: readonly GradientKey[] = ['wx', 'wh', 'b', 'x', 'h0'];

/** What a backend declares it implements, resolved with the defaults (everything, but validating input). */
export type Capabilities = {
  /** The activations the backend implements (default both). */
  activations: readonly Activation[];
  /** The gradients backward returns (default all five; none: forward only); the others may be absent or null. */
  gradients: readonly GradientKey[];
  /** Backward reads only dhs[:, T-1] (a many-to-one model): checked with dhs zero elsewhere (default false). */
  lastStepOnly: boolean;
  /** The backend uses options.h0 (default true); false: it always starts from zeros, and dh0 is not checked. */
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
  readonly activations?: readonly Activation[];
  readonly gradients?: readonly GradientKey[];
  readonly lastStepOnly?: boolean;
  readonly initialState?: boolean;
  readonly validatesInput?: boolean;
};

export const FULL_CAPABILITIES: Capabilities = {
  activations: ACTIVATIONS,
  gradients: GRADIENT_KEYS,
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
  const activations = subset(fn, `${what}.activations`, d.activations, ACTIVATIONS);
  // No gradients at all is a forward-only backend: every gradient row is then "not provided".
  const gradients = subset(fn, `${what}.gradients`, d.gradients, GRADIENT_KEYS, true);
  const lastStepOnly = flag(fn, `${what}.lastStepOnly`, d.lastStepOnly);
  const initialState = flag(fn, `${what}.initialState`, d.initialState);
  const validatesInput = flag(fn, `${what}.validatesInput`, d.validatesInput);
  return {
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
    if (d.activations !== undefined) caps.activations = d.activations;
    if (d.gradients !== undefined) caps.gradients = d.gradients;
    if (d.lastStepOnly !== undefined) caps.lastStepOnly = d.lastStepOnly;
    if (d.initialState !== undefined) caps.initialState = d.initialState;
    if (d.validatesInput !== undefined) caps.validatesInput = d.validatesInput;
  }
  return caps;
}

/** The gradients the harness compares: the declared ones, without dh0 when h0 is not supported. */
export function checkedGradients(caps: Capabilities): GradientKey[] {
  return caps.gradients.filter((k) => k !== 'h0' || caps.initialState);
}

/** One thing the harness leaves out for a backend, and why: a visible row of every report. */
export type Gap = {
  /** What is left out: 'tanh', 'relu', 'd<key>', 'h0 given', 'dhs before the last step'. */
  what: string;
  status: 'not supported' | 'not provided';
  reason: string;
};

/** What the declarations leave out, each with its reason. */
export function capabilityGaps(caps: Capabilities): Gap[] {
  const gaps: Gap[] = [];
  const declared = caps.activations.join(', ');
  for (const a of ACTIVATIONS) {
    if (!caps.activations.includes(a))
      gaps.push({ what: a, status: 'not supported', reason: `the backend declares activations: ${declared}` });
  }
  if (!caps.initialState)
    gaps.push({
      what: 'h0 given',
      status: 'not supported',
      reason: 'the backend declares initialState: false (it starts from zeros)',
    });
  for (const k of GRADIENT_KEYS) {
    if (caps.gradients.includes(k) && (k !== 'h0' || caps.initialState)) continue;
    const reason = caps.gradients.includes(k)
      ? 'without h0 there is no dh0 to check'
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
  const parts = [
    `activations ${caps.activations.join(', ')}`,
    `gradients ${
      checkedGradients(caps)
        .map((k) => `d${k}`)
        .join(', ') || 'none'
    }`,
  ];
  if (caps.lastStepOnly) parts.push('last step only');
  if (!caps.initialState) parts.push('h0 = 0');
  return parts.join('; ');
}
