/**
 * The directional gradient oracle (docs/PERFORMANCE.md, "At real sizes"), the idea behind PyTorch gradcheck's
 * fast mode. For L(θ) = Σ v ⊙ forward(θ) with v the upstream gradient (a case's dhs), and a random
 * direction u_k over one input k (wx, wh, b, x, h0, and a GRU's bh or an LSTM's c0), the derivative of L along u_k is
 *
 *   D_k = d/dt L(θ + t·u_k) at t = 0 = Σ_i (∂L/∂k)_i · u_k,i,
 *
 * so a backend's gradient dk, projected on u_k, must equal a finite difference of the reference's forward
 * along u_k. That costs six forward passes of the float64 reference per input, however large the input,
 * instead of four per number: it is what makes gradients checkable at real sizes.
 *
 * The difference is a five-point stencil at step h, and again at 2h. Its error is bounded by three terms,
 * which together are what a case is allowed:
 * - the backend's own rounding: the agreement tolerance of its precision (tolerance.ts), element-wise
 *   atol·scale + rtol·|g_i|, projected on u: bound·(scale·Σ|u_i| + Σ|g_i·u_i|);
 * - the rounding of the reference's loss, at most a few units of Σ|v_i·hs_i| per evaluation, divided by h;
 * - the stencil's truncation, O(h⁴), estimated from the two step sizes: |D(h) − D(2h)| (the error of
 *   D(2h) is 16 times that of D(h)).
 */
import { gradientKeys, type GradientKey } from '../core/capabilities.js';
import { caseOptions, minPreActivation, type RnnCase } from '../check/arbitraries.js';
import { toleranceFor } from '../check/tolerance.js';
import { seededRng, uniformTensor } from '../core/random.js';
import {
  callInputs,
  callOf,
  checkForward,
  type CallInputs,
  type CheckedCall,
  type Precision,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
} from '../core/rnn.js';
import { asFloat64, type Tensor } from '../core/tensor.js';

/** Default step along a direction whose entries are uniform in [-1, 1). */
export const DIRECTIONAL_STEP = 1e-4;

/**
 * A relu problem is differenced only when every pre-activation is at least this far from the kink: a
 * difference across a kink is off by the jump in slope, not by O(h⁴). At real sizes, with 10⁵ to 10⁶
 * pre-activations, some are nearly always closer, so the oracle is for tanh there.
 */
export const DIRECTIONAL_KINK_MARGIN = 1e-2;

/**
 * The problem the oracle differentiates: L = Σ dhs ⊙ forward(params, x, { activation, h0 }); an h0 that
 * is undefined is zeros, and its direction still perturbs it from zeros.
 */
export type DirectionalProblem = Pick<
  RnnCase,
  'params' | 'x' | 'h0' | 'activation' | 'dhs' | 'cell' | 'resetAfter' | 'c0'
>;

/** One input's derivative along its direction, from the reference. */
export type NumericDirectional = {
  /** D(h), the five-point difference at step h. */
  value: number;
  /** What the loss's rounding can add to it. */
  noise: number;
  /** |D(h) − D(2h)|, a bound on the stencil's truncation error at h. */
  truncation: number;
};

/** The random directions the directional oracle projects each input on. */
export type Directions = Partial<Record<GradientKey, Tensor>>;

const dims = (p: DirectionalProblem) => {
  const [B, T, F] = p.x.shape as [number, number, number];
  return { B, T, F, H: p.params.wh.shape[0] as number };
};

/** The problem as a validated call and its inputs by gradient name (h0 and c0 zeros when absent). */
function inputsOf(p: DirectionalProblem): { call: CheckedCall; inputs: CallInputs } {
  const call = checkForward('directional', p.params, p.x, caseOptions(p as RnnCase));
  return { call, inputs: callInputs(call, p.params, p.x) };
}

/** Random directions with entries uniform in [-1, 1), one per input of the problem's cell, from `seed`. */
export function randomDirections(p: DirectionalProblem, seed: number): Directions {
  const rng = seededRng(seed);
  const { inputs } = inputsOf(p);
  const out: Directions = {};
  for (const [k, t] of Object.entries(inputs) as [GradientKey, Tensor][]) out[k] = uniformTensor(rng, t.shape);
  return out;
}

function sumProducts(a: ArrayLike<number>, b: ArrayLike<number>): { dot: number; abs: number } {
  let dot = 0;
  let abs = 0;
  for (let i = 0; i < a.length; i++) {
    const p = (a[i] as number) * (b[i] as number);
    dot += p;
    abs += Math.abs(p);
  }
  return { dot, abs };
}

/**
 * D_k for every input in `keys`, by finite differences of `reference`'s forward (a float64 backend) along
 * `directions`: six forward passes per input. The problem's tensors are never touched.
 */
export async function numericDirectionals(
  reference: RnnBackend,
  p: DirectionalProblem,
  directions: Directions,
  keys: readonly GradientKey[] = gradientKeys(p.cell),
  step = DIRECTIONAL_STEP,
): Promise<Partial<Record<GradientKey, NumericDirectional>>> {
  const { call, inputs } = inputsOf(p);
  const v = asFloat64(p.dhs);
  const out: Partial<Record<GradientKey, NumericDirectional>> = {};
  for (const key of keys) {
    const u = (directions[key] as Tensor).data;
    const base = inputs[key] as Tensor;
    let worstAbs = 0;
    const loss = async (t: number): Promise<number> => {
      const moved = Float64Array.from(asFloat64(base), (value, i) => value + t * (u[i] as number));
      const c = callOf(call, { ...inputs, [key]: { shape: base.shape, data: moved } });
      const hs = await reference.forward(c.params, c.x, c.options);
      const s = sumProducts(hs.data, v);
      worstAbs = Math.max(worstAbs, s.abs);
      return s.dot;
    };
    const f = new Map<number, number>();
    for (const m of [1, -1, 2, -2, 4, -4]) f.set(m, await loss(m * step));
    const stencil = (h: number, m: number) =>
      (8 * ((f.get(m) as number) - (f.get(-m) as number)) - ((f.get(2 * m) as number) - (f.get(-2 * m) as number))) /
      (12 * h);
    const value = stencil(step, 1);
    // Each evaluation of the loss is a float64 sum, off by at most a few units of Σ|v·hs| (4 of them here);
    // the stencil adds 18/12 of them, divided by h.
    const noise = (4 * 2 ** -53 * worstAbs * 18) / (12 * step);
    out[key] = { value, noise, truncation: Math.abs(value - stencil(2 * step, 2)) };
  }
  return out;
}

/** One input's verdict. */
export type DirectionalRow = {
  key: GradientKey;
  /** The backend's gradient projected on the direction. */
  analytic: number;
  numeric: number;
  /** |analytic − numeric|. */
  error: number;
  /** What that error may be: the backend's rounding projected, plus the differences' noise and truncation. */
  allowed: number;
  ok: boolean;
};

/** The backend's gradient of `key` projected on its direction, judged against the numeric derivative. */
export function judgeDirectional(
  key: GradientKey,
  gradient: Tensor,
  direction: Tensor,
  numeric: NumericDirectional,
  precision: Precision,
  size: { T: number; F: number; H: number },
): DirectionalRow {
  const { atol, rtol } = toleranceFor(precision, size);
  const { dot, abs } = sumProducts(gradient.data, direction.data);
  let scale = 1;
  let uAbs = 0;
  for (const g of gradient.data) scale = Math.max(scale, Math.abs(g));
  for (const x of direction.data) uAbs += Math.abs(x);
  const allowed = atol * scale * uAbs + rtol * abs + numeric.noise + 2 * numeric.truncation;
  const error = Math.abs(dot - numeric.value);
  return { key, analytic: dot, numeric: numeric.value, error, allowed, ok: error <= allowed }; // NaN fails
}

/** The forward pass projected on v: Σ v ⊙ hs of the backend against the reference's. */
export type ForwardRow = { analytic: number; numeric: number; error: number; allowed: number; ok: boolean };

export function judgeForward(
  hs: Tensor,
  reference: Tensor,
  v: Tensor,
  precision: Precision,
  size: { T: number; F: number; H: number },
): ForwardRow {
  const { atol, rtol } = toleranceFor(precision, size);
  const mine = sumProducts(hs.data, v.data);
  const ref = sumProducts(reference.data, v.data);
  let scale = 1;
  let vAbs = 0;
  for (const h of reference.data) scale = Math.max(scale, Math.abs(h));
  for (const x of v.data) vAbs += Math.abs(x);
  const allowed = atol * scale * vAbs + rtol * ref.abs + 4 * 2 ** -53 * ref.abs;
  const error = Math.abs(mine.dot - ref.dot);
  return { analytic: mine.dot, numeric: ref.dot, error, allowed, ok: error <= allowed };
}

/**
 * What the directional oracle found on one case: each quantity projected on a direction, its error and what it is
 * allowed.
 */
export type DirectionalReport = {
  forward: ForwardRow;
  gradients: DirectionalRow[];
  /** Why the gradients were not differenced (a relu pre-activation near the kink), when they were not. */
  skipped?: string;
  ok: boolean;
};

/**
 * The whole oracle on one problem: the backend's forward projected on v against the reference's, then its
 * gradients of `keys`, computed from its own hs, projected on random directions against the reference's
 * finite differences. `numeric` can be passed in when several backends are judged on the same problem
 * and directions (it depends only on those).
 */
export async function checkDirectional(
  backend: RnnBackend,
  reference: RnnBackend,
  p: DirectionalProblem,
  opts: {
    seed?: number;
    keys?: readonly GradientKey[];
    directions?: Directions;
    numeric?: Partial<Record<GradientKey, NumericDirectional>>;
    referenceHs?: Tensor;
  } = {},
): Promise<DirectionalReport> {
  const size = dims(p);
  const keys = opts.keys ?? gradientKeys(p.cell);
  const o: RnnOptions = caseOptions(p as RnnCase);
  const refHs = opts.referenceHs ?? (await reference.forward(p.params, p.x, o));
  const hs = await backend.forward(p.params, p.x, o);
  const forward = judgeForward(hs, refHs, p.dhs, backend.precision, size);
  const report: DirectionalReport = { forward, gradients: [], ok: forward.ok };
  if (keys.length === 0) return report;
  if (!hs.data.every(Number.isFinite))
    return { ...report, skipped: 'the forward pass returned a number that is not finite' };
  if (p.activation === 'relu') {
    const margin = minPreActivation({ ...p, ...size }, refHs);
    if (margin < DIRECTIONAL_KINK_MARGIN)
      return {
        ...report,
        skipped: `a relu pre-activation is ${margin.toExponential(1)} from the kink (< ${DIRECTIONAL_KINK_MARGIN})`,
      };
  }
  const directions = opts.directions ?? randomDirections(p, opts.seed ?? 1);
  const numeric = opts.numeric ?? (await numericDirectionals(reference, p, directions, keys));
  const g: RnnGradients = await backend.backward(p.params, p.x, hs, p.dhs, o);
  for (const k of keys) {
    const [gk, uk, nk] = [g[k], directions[k], numeric[k]];
    if (uk === undefined || nk === undefined) continue; // not an input of this cell
    // A gradient missing from the answer is a failure: NaN is never within what is allowed.
    const missing: Tensor = { shape: uk.shape, data: new Float64Array(uk.data.length).fill(Number.NaN) };
    report.gradients.push(judgeDirectional(k, gk ?? missing, uk, nk, backend.precision, size));
  }
  report.ok = forward.ok && report.gradients.every((r) => r.ok);
  return report;
}
