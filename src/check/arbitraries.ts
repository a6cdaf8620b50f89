/**
 * fast-check arbitraries for SimpleRNN problems: the shape first, then the data, so failures shrink to a
 * small shape before small values, and values on a coarse grid, so a counterexample reads as numbers a
 * person can follow.
 */
import fc from 'fast-check';
import type { Capabilities } from '../core/capabilities.js';
import { rnnPreActivations } from '../kernels/simple-rnn.js';
import type { Activation, Dims, RnnOptions, RnnParams } from '../core/rnn.js';
import { asFloat64, type Tensor } from '../core/tensor.js';
import { cut, GRID, RnnCaseArbitrary, shapesOf, type CaseSpace } from './case-arbitrary.js';

export { GRID };

/** A SimpleRNN problem: its sizes, activation, parameters, input, initial state and upstream gradient. */
export type RnnCase = Dims & {
  activation: Activation;
  params: RnnParams;
  x: Tensor;
  h0: Tensor | undefined;
  dhs: Tensor;
  /** How a large case's values were made (scaledCase's seed and options): its JSON, instead of the values. */
  recipe?: { seed: number; biasMagnitude?: number };
};

/** [min, max] of each of B, T, F and H. */
export type ShapeRanges = { B: [number, number]; T: [number, number]; F: [number, number]; H: [number, number] };

/** The default ranges of the property suites: B 1..6, T 1..10, F 1..6, H 1..6. */
export const DEFAULT_RANGES: ShapeRanges = { B: [1, 6], T: [1, 10], F: [1, 6], H: [1, 6] };

/** Limits on the cases rnnCase draws: the ranges of B, T, F, H, the activation, magnitudes, h0, last step only. */
export type CaseConstraints = {
  ranges?: ShapeRanges;
  /** A fixed activation, or both. */
  activation?: Activation;
  /** Largest magnitude of generated values (default 1). */
  magnitude?: number;
  /** Smallest magnitude of generated values (default 0). Keeps relu cases away from exact zeros. */
  minMagnitude?: number;
  /**
   * [min, max] magnitude of the bias alone, e.g. [100, 1e4] with the default magnitude 1 and the
   * default shapes makes every pre-activation exceed 100 − (F + H) ≥ 88 in magnitude: saturation.
   */
  biasMagnitude?: [number, number];
  /** Always (true) or never (false) an initial state; either when undefined. */
  h0?: boolean;
  /** The upstream gradient on the last step only, zero before it (a many-to-one model). */
  lastStepOnly?: boolean;
};

/** The constraints under which a backend with these capabilities is checked, on top of `c`. */
export function constraintsFor(caps: Capabilities, c: CaseConstraints = {}): CaseConstraints {
  const out: CaseConstraints = { ...c };
  if (caps.activations.length === 1 && out.activation === undefined) out.activation = caps.activations[0];
  if (!caps.initialState) out.h0 = false;
  if (caps.lastStepOnly) out.lastStepOnly = true;
  return out;
}

/** dhs [B,T,H] with every step but the last set to zero. */
export function maskToLastStep(dhs: Tensor): Tensor {
  const [B, T, H] = dhs.shape as [number, number, number];
  const data = new Float64Array(dhs.data.length);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) data[(b * T + T - 1) * H + j] = dhs.data[(b * T + T - 1) * H + j] as number;
  return { shape: [...dhs.shape], data };
}

/**
 * A random SimpleRNN problem: shape, activation, weights, input, optional h0 and upstream gradient, every
 * value a multiple of GRID (1/8). A failure shrinks its shape first, by cutting the case down, then its
 * values towards 0 (see case-arbitrary.ts).
 */
export function rnnCase(c: CaseConstraints = {}): fc.Arbitrary<RnnCase> {
  const r = c.ranges ?? DEFAULT_RANGES;
  const m = c.magnitude ?? 1;
  const lo = c.minMagnitude ?? 0;
  const [bLo, bHi] = c.biasMagnitude ?? [lo, m];
  const steps = (min: number, max: number): [number, number] => {
    const hi = Math.max(1, Math.floor(max / GRID));
    return [Math.min(hi, Math.ceil(min / GRID)), hi];
  };
  const space: CaseSpace = {
    ranges: r,
    activation: c.activation,
    h0: c.h0,
    values: steps(lo, m),
    bias: steps(bLo, bHi),
  };
  const full = shapesOf({ B: r.B[1], T: r.T[1], F: r.F[1], H: r.H[1] });
  return new RnnCaseArbitrary(space, (v): RnnCase => {
    const { B, T, F, H, activation } = v;
    const shapes = shapesOf(v);
    const t = (name: keyof typeof shapes) => cut(v[name], shapes[name], full[name]);
    const dhs = t('dhs');
    return {
      B,
      T,
      F,
      H,
      activation,
      params: { wx: t('wx'), wh: t('wh'), b: t('b') },
      x: t('x'),
      h0: v.withH0 ? t('h0') : undefined,
      dhs: c.lastStepOnly === true ? maskToLastStep(dhs) : dhs,
    };
  });
}

/** Why a backend with these capabilities is not checked on `c`, or undefined when it is. */
export function outsideCapabilities(caps: Capabilities, c: RnnCase): string | undefined {
  if (!caps.activations.includes(c.activation)) return `${c.activation} not supported`;
  if (c.h0 !== undefined && !caps.initialState) return 'h0 given: not supported';
  return undefined;
}

/** `c` as a backend with these capabilities is checked on it: dhs only on the last step if it reads no more. */
export function adaptCase(caps: Capabilities, c: RnnCase): RnnCase {
  return caps.lastStepOnly ? { ...c, dhs: maskToLastStep(c.dhs) } : c;
}

/** The options of a case, for forward and backward. */
export function caseOptions(c: RnnCase): RnnOptions {
  return c.h0 === undefined ? { activation: c.activation } : { activation: c.activation, h0: c.h0 };
}

/** The smallest |a_t| over the case's pre-activations, given its reference hidden states. */
export function minPreActivation(c: RnnCase, hs: Tensor): number {
  const out = new Float64Array(c.B * c.T * c.H);
  const p = c.params;
  rnnPreActivations(
    c,
    {
      wx: asFloat64(p.wx),
      wh: asFloat64(p.wh),
      b: asFloat64(p.b),
      x: asFloat64(c.x),
      h0: c.h0 === undefined ? undefined : asFloat64(c.h0),
    },
    asFloat64(hs),
    out,
  );
  let min = Infinity;
  for (const v of out) min = Math.min(min, Math.abs(v));
  return min;
}

/** A one-line description of a case: its shape and options. */
export function describeCase(c: RnnCase): string {
  return `B=${c.B} T=${c.T} F=${c.F} H=${c.H} activation=${c.activation} h0=${c.h0 === undefined ? 'zeros' : 'given'}`;
}

/**
 * The case as plain JSON: shape, options and every value; for a large case, the seed and options that
 * make its values (scaledCase in check/scaled-case.ts) instead of millions of numbers.
 */
export function caseToJson(c: RnnCase): object {
  const arr = (t: Tensor | undefined) => (t === undefined ? null : { shape: t.shape, data: [...t.data] });
  if (c.recipe !== undefined) {
    return {
      shape: { B: c.B, T: c.T, F: c.F, H: c.H },
      activation: c.activation,
      h0: c.h0 !== undefined,
      lastStepOnly: isLastStepOnly(c),
      scaledCase: c.recipe,
    };
  }
  return {
    shape: { B: c.B, T: c.T, F: c.F, H: c.H },
    activation: c.activation,
    wx: arr(c.params.wx),
    wh: arr(c.params.wh),
    b: arr(c.params.b),
    x: arr(c.x),
    h0: arr(c.h0),
    dhs: arr(c.dhs),
  };
}

function isLastStepOnly(c: RnnCase): boolean {
  const { B, T, H } = c;
  for (let b = 0; b < B; b++)
    for (let i = b * T * H; i < (b * T + T - 1) * H; i++) if (c.dhs.data[i] !== 0) return false;
  return true;
}
