/**
 * fast-check arbitraries for SimpleRNN problems: the shape first, then the data, so failures shrink to a
 * small shape before small values, and values on a coarse grid, so a counterexample reads as numbers a
 * person can follow.
 */
import fc from 'fast-check';
import type { Capabilities } from '../core/capabilities.js';
import { rnnPreActivations } from '../kernels/simple-rnn.js';
import type { Activation, Cell, Dims, RnnOptions, RnnParams } from '../core/rnn.js';
import { asFloat64, type Tensor } from '../core/tensor.js';
import { cut, GRID, RnnCaseArbitrary, shapesOf, type CaseSpace } from './case-arbitrary.js';

export { GRID };

/**
 * A problem of one cell: its sizes, cell (undefined: the SimpleRNN) and options, parameters (a GRU's bh
 * included), input, initial states and upstream gradient.
 */
export type RnnCase = Dims & {
  /** The cell; undefined is the SimpleRNN. */
  cell?: Cell;
  /** The SimpleRNN's activation ('tanh' for a gated cell, where it does not apply). */
  activation: Activation;
  /** A GRU's reset gate after the product (undefined: true). */
  resetAfter?: boolean;
  params: RnnParams;
  x: Tensor;
  h0: Tensor | undefined;
  /** An LSTM's initial cell state (undefined: zeros). */
  c0?: Tensor | undefined;
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
  /** Always (true) or never (false) an initial state (an LSTM's c0 too); either when undefined. */
  h0?: boolean;
  /** The cell (default 'rnn'). */
  cell?: Cell;
  /** A GRU's reset gate after (true) or before (false) the product; either when undefined. */
  resetAfter?: boolean;
  /** The upstream gradient on the last step only, zero before it (a many-to-one model). */
  lastStepOnly?: boolean;
};

/** The constraints under which a backend with these capabilities is checked, on top of `c`. */
export function constraintsFor(caps: Capabilities, c: CaseConstraints = {}): CaseConstraints {
  const out: CaseConstraints = { ...c };
  if (caps.activations.length === 1 && out.activation === undefined) out.activation = caps.activations[0];
  if (!caps.initialState) out.h0 = false;
  if (caps.lastStepOnly) out.lastStepOnly = true;
  // A GRU with the reset gate after the product only (PyTorch's nn.GRU) is never given a reset-before case.
  if (out.cell === 'gru' && !caps.gruResetBefore && out.resetAfter === undefined) out.resetAfter = true;
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
 * A GRU's recurrent bias. Its gates add b and bh, so two large biases of opposite signs could cancel and
 * leave a gate far from saturation, where a float32 backend's sum of large terms loses digits the
 * tolerance does not allow for: with biasMagnitude given (the saturated cases), bh takes the sign of b,
 * and every gate stays beyond the bias magnitude.
 */
function gruBh(c: CaseConstraints, b: Tensor, bh: Tensor): Tensor {
  if (c.biasMagnitude === undefined) return bh;
  return { shape: bh.shape, data: Float64Array.from(bh.data, (v, i) => Math.sign(b.data[i] as number) * Math.abs(v)) };
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
  const cell = c.cell ?? 'rnn';
  const space: CaseSpace = {
    ranges: r,
    activation: c.activation,
    h0: c.h0,
    cell,
    resetAfter: c.resetAfter,
    values: steps(lo, m),
    bias: steps(bLo, bHi),
  };
  const full = shapesOf({ B: r.B[1], T: r.T[1], F: r.F[1], H: r.H[1] }, cell);
  return new RnnCaseArbitrary(space, (v): RnnCase => {
    const { B, T, F, H, activation } = v;
    const shapes = shapesOf(v, cell);
    const t = (name: keyof typeof shapes) => cut(v[name], shapes[name], full[name]);
    // A weight's pool is [rows, G, H]: as a tensor, [rows, G·H], the gate blocks side by side.
    const flat = (name: 'wx' | 'wh' | 'b' | 'bh'): Tensor => {
      const { shape: d, data } = t(name);
      return {
        shape:
          d.length === 3
            ? [d[0] as number, (d[1] as number) * (d[2] as number)]
            : [(d[0] as number) * (d[1] as number)],
        data,
      };
    };
    const dhs = t('dhs');
    const common = {
      B,
      T,
      F,
      H,
      activation,
      x: t('x'),
      h0: v.withH0 ? t('h0') : undefined,
      dhs: c.lastStepOnly === true ? maskToLastStep(dhs) : dhs,
    };
    const params = { wx: flat('wx'), wh: flat('wh'), b: flat('b') };
    if (cell === 'lstm') return { ...common, cell, params, c0: v.withC0 ? t('c0') : undefined };
    if (cell === 'gru')
      return { ...common, cell, resetAfter: v.resetAfter, params: { ...params, bh: gruBh(c, params.b, flat('bh')) } };
    return { ...common, params };
  });
}

/** Why a backend with these capabilities is not checked on `c`, or undefined when it is. */
export function outsideCapabilities(caps: Capabilities, c: RnnCase): string | undefined {
  const cell = c.cell ?? 'rnn';
  if (!caps.cells.includes(cell)) return `${cell} not supported`;
  if (cell === 'gru' && c.resetAfter === false && !caps.gruResetBefore) return 'gru resetAfter: false not supported';
  if (cell === 'rnn' && !caps.activations.includes(c.activation)) return `${c.activation} not supported`;
  if (c.h0 !== undefined && !caps.initialState) return 'h0 given: not supported';
  if (c.c0 !== undefined && !caps.initialState) return 'c0 given: not supported';
  return undefined;
}

/** `c` as a backend with these capabilities is checked on it: dhs only on the last step if it reads no more. */
export function adaptCase(caps: Capabilities, c: RnnCase): RnnCase {
  return caps.lastStepOnly ? { ...c, dhs: maskToLastStep(c.dhs) } : c;
}

/** The options of a case, for forward and backward: the cell's own, and h0 and c0 when given. */
export function caseOptions(c: RnnCase): RnnOptions {
  const cell = c.cell ?? 'rnn';
  const states = { ...(c.h0 === undefined ? {} : { h0: c.h0 }), ...(c.c0 === undefined ? {} : { c0: c.c0 }) };
  if (cell === 'rnn') return { activation: c.activation, ...states };
  return { cell, ...(cell === 'gru' ? { resetAfter: c.resetAfter !== false } : {}), ...states };
}

/** The smallest |a_t| over the case's pre-activations, given its reference hidden states. */
export function minPreActivation(c: RnnCase, hs: Tensor): number {
  if ((c.cell ?? 'rnn') !== 'rnn') return Infinity; // a gated cell is smooth: no kink
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
  const shape = `B=${c.B} T=${c.T} F=${c.F} H=${c.H}`;
  const h0 = `h0=${c.h0 === undefined ? 'zeros' : 'given'}`;
  if (c.cell === 'lstm') return `lstm ${shape} ${h0} c0=${c.c0 === undefined ? 'zeros' : 'given'}`;
  if (c.cell === 'gru') return `gru ${shape} resetAfter=${c.resetAfter !== false} ${h0}`;
  return `${shape} activation=${c.activation} ${h0}`;
}

/**
 * The case as plain JSON: shape, options and every value; for a large case, the seed and options that
 * make its values (scaledCase in check/scaled-case.ts) instead of millions of numbers.
 */
export function caseToJson(c: RnnCase): object {
  const arr = (t: Tensor | undefined) => (t === undefined ? null : { shape: t.shape, data: [...t.data] });
  const cell =
    c.cell === undefined ? {} : { cell: c.cell, ...(c.cell === 'gru' ? { resetAfter: c.resetAfter !== false } : {}) };
  if (c.recipe !== undefined) {
    return {
      shape: { B: c.B, T: c.T, F: c.F, H: c.H },
      ...cell,
      activation: c.activation,
      h0: c.h0 !== undefined,
      ...(c.cell === 'lstm' ? { c0: c.c0 !== undefined } : {}),
      lastStepOnly: isLastStepOnly(c),
      scaledCase: c.recipe,
    };
  }
  return {
    shape: { B: c.B, T: c.T, F: c.F, H: c.H },
    ...cell,
    activation: c.activation,
    wx: arr(c.params.wx),
    wh: arr(c.params.wh),
    b: arr(c.params.b),
    ...(c.cell === 'gru' ? { bh: arr(c.params.bh) } : {}),
    x: arr(c.x),
    h0: arr(c.h0),
    ...(c.cell === 'lstm' ? { c0: arr(c.c0) } : {}),
    dhs: arr(c.dhs),
  };
}

function isLastStepOnly(c: RnnCase): boolean {
  const { B, T, H } = c;
  for (let b = 0; b < B; b++)
    for (let i = b * T * H; i < (b * T + T - 1) * H; i++) if (c.dhs.data[i] !== 0) return false;
  return true;
}
