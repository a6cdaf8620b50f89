/**
 * The fixed check suite behind `rnn-harness check`: Problem 2 and a few shapes that catch the usual
 * mistakes (T = 1, B = 1, H != F, a long T = 64), each with tanh and relu, with and without h0, and a
 * tanh case whose pre-activations all exceed 500 in magnitude; every backend against `loops`, and the
 * oracle against `loops`.
 */
import { checkedGradients, GRADIENT_KEYS, resolveCapabilities, type Gap } from '../capabilities.js';
import { PROBLEM2 } from '../fixtures/problem2.js';
import { numericGradients, ORACLE_BAR, oracleError } from '../oracle/finite-difference.js';
import type { Activation, RnnBackend } from '../rnn.js';
import { fromNested, type Nested, type Tensor } from '../tensor.js';
import { adaptCase, caseOptions, describeCase, minPreActivation, outsideCapabilities, type RnnCase } from './arbitraries.js';
import { compareTensors } from './compare.js';
import { comparePeer, peerCases, peerGradientCases, peerRnnCase, runPeerCase, type PeerComparison } from './peer-cases.js';
import { RELU_KINK_MARGIN } from './properties.js';
import { scaledCase } from './scaled-case.js';
import { toleranceFor } from './tolerance.js';

export const QUANTITIES = ['hs', ...GRADIENT_KEYS.map((k) => `d${k}`)] as const;

/**
 * 'pass' and 'fail' are results; 'not supported' and 'not provided' are what a backend's declarations
 * leave out (see capabilities.ts), shown so that nothing unchecked passes for checked.
 */
export type RowStatus = 'pass' | 'fail' | 'not supported' | 'not provided';

/** One line of the check table: the worst over all cases of one backend and one quantity. */
export type CheckRow = {
  backend: string;
  quantity: string;
  /** Largest |a - e| over the cases (for the oracle: the largest relative error). */
  maxError: number;
  /** The tolerance at the worst case (for the oracle: the relative-error bar). */
  tolerance: number;
  /** The worst error/tolerance ratio; the row passes when it is at most 1. */
  worstRatio: number;
  worstCase: string;
  status: RowStatus;
  /** status === 'pass'. */
  ok: boolean;
};

export const CHECK_SEED = 20261125;

const randomCase = (seed: number, B: number, T: number, F: number, H: number, activation: Activation, withH0: boolean): RnnCase =>
  scaledCase({ B, T, F, H }, activation, seed, { h0: withH0 });

/** Problem 2 with an upstream gradient of ones at the last step (many-to-one). */
export function problem2Case(): RnnCase {
  const dhs = new Float64Array(12);
  dhs.fill(1, 8);
  return {
    B: 1, T: 3, F: 2, H: 4, activation: 'tanh',
    params: { wx: fromNested(PROBLEM2.wx as unknown as Nested), wh: fromNested(PROBLEM2.wh as unknown as Nested), b: fromNested([...PROBLEM2.b]) },
    x: fromNested(PROBLEM2.x as unknown as Nested), h0: undefined, dhs: { shape: [1, 3, 4], data: dhs },
  };
}

/** Every case of the suite, Problem 2 first. */
export function checkCases(seed = CHECK_SEED): { name: string; c: RnnCase }[] {
  const shapes = [
    ['T=1', 3, 1, 4, 5], ['B=1', 1, 8, 3, 4], ['H!=F', 4, 6, 7, 3], ['T=64', 2, 64, 3, 5],
  ] as const;
  const cases = [{ name: 'problem2', c: problem2Case() }];
  let s = seed;
  for (const [label, B, T, F, H] of shapes) {
    for (const activation of ['tanh', 'relu'] as const) {
      for (const withH0 of [false, true]) {
        cases.push({ name: `${label} ${activation}${withH0 ? ' h0' : ''}`, c: randomCase(s++, B, T, F, H, activation, withH0) });
      }
    }
  }
  // Every pre-activation beyond 500 in magnitude: a tanh written as (e^{2a} − 1)/(e^{2a} + 1) overflows here.
  const saturated = randomCase(s, 2, 6, 3, 4, 'tanh', true);
  saturated.params.b = { shape: [4], data: Float64Array.from([600, -2500, 9000, -10000]) };
  cases.push({ name: 'saturated tanh h0', c: saturated });
  return cases;
}

/**
 * Keeps, per quantity, the row of the case with the worst ratio (a case that threw is the worst there
 * is) and the largest error over all cases.
 */
class Worst {
  private readonly rows = new Map<string, CheckRow>();
  private readonly maxErrors = new Map<string, number>();
  constructor(private readonly backend: string) {}

  add(row: CheckRow): void {
    this.maxErrors.set(row.quantity, Math.max(row.maxError, this.maxErrors.get(row.quantity) ?? 0));
    const prev = this.rows.get(row.quantity);
    if (prev === undefined || !(row.worstRatio <= prev.worstRatio)) this.rows.set(row.quantity, row);
  }

  compared(quantity: string, caseName: string, cmp: { maxAbsError: number; worstRatio: number; ok: boolean }, tolerance: number): void {
    this.add({ backend: this.backend, quantity, maxError: cmp.maxAbsError, tolerance, worstRatio: cmp.worstRatio, worstCase: caseName, ...verdict(cmp.ok) });
  }

  threw(quantity: string, caseName: string, e: unknown): void {
    if (this.rows.get(quantity)?.worstRatio === Infinity) return; // the first failure's message stays
    this.add(failedRow(this.backend, quantity, `${caseName}: ${errorText(e)}`));
  }

  result(): CheckRow[] {
    return [...this.rows.values()].map((r) => ({ ...r, maxError: this.maxErrors.get(r.quantity) ?? r.maxError }));
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const verdict = (ok: boolean) => (ok ? { status: 'pass' as const, ok: true } : { status: 'fail' as const, ok: false });

/** A row for a failure without numbers: a backend that threw, hung, or could not be created. */
export function failedRow(backend: string, quantity: string, reason: string): CheckRow {
  return { backend, quantity, maxError: Infinity, tolerance: 0, worstRatio: Infinity, worstCase: reason, status: 'fail', ok: false };
}

/** A row for what a backend's declarations leave out (never a pass). */
export function gapRow(backend: string, gap: Gap, left = ''): CheckRow {
  return { backend, quantity: gap.what, maxError: NaN, tolerance: NaN, worstRatio: NaN, worstCase: `${gap.reason}${left}`, status: gap.status, ok: false };
}

/**
 * Compares `backend` with `reference` on every case within its capabilities (default: what the backend
 * declares): one row per quantity it provides. A case on which it throws fails the quantities of that
 * call, with the message, and the other cases still run.
 */
export async function checkBackend(backend: RnnBackend, reference: RnnBackend, cases = checkCases(), caps = resolveCapabilities(backend)): Promise<CheckRow[]> {
  const worst = new Worst(backend.name);
  const gradients = checkedGradients(caps);
  for (const { name, c: original } of cases) {
    if (outsideCapabilities(caps, original) !== undefined) continue;
    const c = adaptCase(caps, original);
    const o = caseOptions(c);
    const tol = toleranceFor(backend.precision, c);
    const hsRef = await reference.forward(c.params, c.x, o);
    try {
      worst.compared('hs', name, compareTensors(await backend.forward(c.params, c.x, o), hsRef, tol), tol.atol);
    } catch (e) {
      worst.threw('hs', name, e);
    }
    if (gradients.length === 0) continue; // forward only
    const gRef = await reference.backward(c.params, c.x, hsRef, c.dhs, o);
    try {
      const g = await backend.backward(c.params, c.x, hsRef, c.dhs, o);
      for (const k of gradients) worst.compared(`d${k}`, name, compareTensors(g[k], gRef[k], tol), tol.atol);
    } catch (e) {
      for (const k of gradients) worst.threw(`d${k}`, name, e);
    }
  }
  return worst.result();
}

/** Problem 2's last hidden state on `backend` against the notebook's printed values. */
export async function checkProblem2(backend: RnnBackend): Promise<CheckRow> {
  const c = problem2Case();
  let hs: Tensor;
  try {
    hs = await backend.forward(c.params, c.x);
  } catch (e) {
    return failedRow(backend.name, 'problem2', `notebook: ${errorText(e)}`);
  }
  const last: Tensor = { shape: [4], data: hs.data.slice(-4) };
  const tol = Math.max(PROBLEM2.tolerance, toleranceFor(backend.precision, c).atol);
  const cmp = compareTensors(last, { shape: [4], data: Float64Array.from(PROBLEM2.expectedLastH) }, { atol: tol, rtol: 0 });
  return { backend: backend.name, quantity: 'problem2', maxError: cmp.maxAbsError, tolerance: tol, worstRatio: cmp.worstRatio, worstCase: 'notebook', ...verdict(cmp.ok) };
}

/**
 * The peers' own expectations (src/check/peer-cases.ts), each with the peer's tolerance: one row for the
 * forward cases ('peer hs') and one for the gradient case ('peer grads'). Cases outside the backend's
 * capabilities are counted in the rows of what it leaves out.
 */
export async function checkPeers(backend: RnnBackend, caps = resolveCapabilities(backend)): Promise<{ rows: CheckRow[]; left: number }> {
  const worst = new Worst(backend.name);
  let left = 0;
  for (const p of peerCases()) {
    if (outsideCapabilities(caps, peerRnnCase(p)) !== undefined) {
      left++;
      continue;
    }
    try {
      worst.compared('peer hs', `${p.name} (${p.source.split(' ')[0]})`, peerVerdict(await runPeerCase(backend, p)), p.expected.atol);
    } catch (e) {
      worst.threw('peer hs', p.name, e);
    }
  }
  for (const p of peerGradientCases()) {
    const c = peerRnnCase(p);
    if (outsideCapabilities(caps, c) !== undefined || checkedGradients(caps).length === 0) {
      left++;
      continue;
    }
    try {
      const o = caseOptions(c);
      const hs = await backend.forward(c.params, c.x, o);
      const g = await backend.backward(c.params, c.x, hs, adaptCase(caps, c).dhs, o);
      const e = p.expected;
      const got: [string, ArrayLike<number>, number[]][] = [['hs', hs.data, e.hs], ...checkedGradients(caps).map((k) => [`d${k}`, g[k].data, e[`grad_${k}`]] as [string, ArrayLike<number>, number[]])];
      for (const [what, actual, expected] of got) worst.compared('peer grads', `${p.name} ${what} (${p.source.split(' ')[0]})`, peerVerdict(comparePeer(actual, expected, e)), e.atol);
    } catch (e) {
      worst.threw('peer grads', p.name, e);
    }
  }
  return { rows: worst.result(), left };
}

const peerVerdict = (p: PeerComparison) => ({ maxAbsError: p.maxError, worstRatio: p.ratio, ok: p.ratio <= 1 });

/** The oracle against `reference`'s analytic gradients on every case (relu cases at a kink are left out). */
export async function checkOracleRows(reference: RnnBackend, cases = checkCases()): Promise<{ rows: CheckRow[]; skipped: string[] }> {
  const worst = new Worst('oracle');
  const skipped: string[] = [];
  for (const { name, c } of cases) {
    const o = caseOptions(c);
    const hs = await reference.forward(c.params, c.x, o);
    if (c.activation === 'relu' && minPreActivation(c, hs) <= RELU_KINK_MARGIN) {
      skipped.push(`${name} (${describeCase(c)}): a pre-activation is within ${RELU_KINK_MARGIN} of relu's kink`);
      continue;
    }
    const analytic = await reference.backward(c.params, c.x, hs, c.dhs, o);
    const numeric = await numericGradients(reference, c.params, c.x, c.dhs, o);
    for (const k of GRADIENT_KEYS) {
      const err = oracleError(analytic[k], numeric[k]);
      worst.add({ backend: 'oracle', quantity: `d${k}`, maxError: err, tolerance: ORACLE_BAR, worstRatio: err / ORACLE_BAR, worstCase: name, ...verdict(err <= ORACLE_BAR) });
    }
  }
  return { rows: worst.result(), skipped };
}
