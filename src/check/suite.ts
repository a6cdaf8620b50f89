/**
 * The fixed check suite behind `rnn-harness check`: Problem 2 and shapes chosen in pairs that differ in
 * one thing (T = 1 against T = 5, B = 1 against B = 3, H = F against H != F, and a long T = 64), each with
 * tanh and relu, with and without h0, and a tanh case whose pre-activations all exceed 500 in magnitude;
 * every backend against `loops`, and the oracle against `loops`. A failing row names its worst element
 * and what its failing cases share that no passing one has (check/diagnosis.ts).
 */
import {
  checkedGradients,
  GRADIENT_KEYS,
  resolveCapabilities,
  type Gap,
  type SimpleGradientKey,
} from '../core/capabilities.js';
import { PROBLEM2 } from '../fixtures/problem2.js';
import { gradientOf, type Activation, type Cell, type RnnBackend } from '../core/rnn.js';
import { rnnForward } from '../kernels/simple-rnn.js';
import { asFloat64, fromNested, type Nested, type Tensor } from '../core/tensor.js';
import { adaptCase, caseOptions, minPreActivation, outsideCapabilities, type RnnCase } from './arbitraries.js';
import { compareTensors, type Comparison } from './compare.js';
import { elementName, unflatten, worstElement, type WorstElement } from './where.js';
import { caseFeatures, separatingFeatures, type Outcome } from './diagnosis.js';
import { childDetails, type ChildDetails } from '../core/errors.js';
import {
  comparePeer,
  peerCases,
  peerGradientCases,
  peerRnnCase,
  runPeerCase,
  type PeerComparison,
} from './peer-cases.js';
import { gatedPeerCases, gatedPeerExpected, gatedPeerRnnCase, runGatedPeerCase } from './gated-peer-cases.js';
import { RELU_KINK_MARGIN } from './properties.js';
import { scaledCase } from './scaled-case.js';
import { toleranceFor, type Tolerance } from './tolerance.js';

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
  /** A failed comparison's worst element in the worst case: its index in the tensor, got and expected. */
  worst?: WorstElement & { element: string };
  /** How many elements disagree in the worst case, out of how many. */
  mismatches?: number;
  size?: number;
  /**
   * What every failing case has and no passing case has (check/diagnosis.ts), e.g. ['T>1']; [] when no
   * feature separates them. Only on failed rows of the suite's cases.
   */
  failsWhen?: string[];
  /** Whether every case of the suite that could show the bug failed (see Outcome.evidence). */
  failsEverywhere?: boolean;
} & ChildDetails;

/** A case of the suite, and whether it is the saturated one (a feature of its own). */
export type CheckCase = { name: string; c: RnnCase; saturated?: boolean };

export const CHECK_SEED = 20261125;

const randomCase = (
  seed: number,
  B: number,
  T: number,
  F: number,
  H: number,
  activation: Activation,
  withH0: boolean,
): RnnCase => scaledCase({ B, T, F, H }, activation, seed, { h0: withH0 });

/** Problem 2 with an upstream gradient of ones at the last step (many-to-one). */
export function problem2Case(): RnnCase {
  const dhs = new Float64Array(12);
  dhs.fill(1, 8);
  return {
    B: 1,
    T: 3,
    F: 2,
    H: 4,
    activation: 'tanh',
    params: {
      wx: fromNested(PROBLEM2.wx as unknown as Nested),
      wh: fromNested(PROBLEM2.wh as unknown as Nested),
      b: fromNested([...PROBLEM2.b]),
    },
    x: fromNested(PROBLEM2.x as unknown as Nested),
    h0: undefined,
    dhs: { shape: [1, 3, 4], data: dhs },
  };
}

/**
 * Whether a relu case lets the gradient through: at every step a quarter of the units are active (a case
 * whose units have all died says nothing about the code after that step, and a bug there would pass it),
 * and no pre-activation is so near the kink that the oracle must leave the case out.
 */
function alive(c: RnnCase): boolean {
  if (c.activation !== 'relu') return true;
  const hs = new Float64Array(c.B * c.T * c.H);
  const p = c.params;
  rnnForward(
    c,
    'relu',
    { wx: asFloat64(p.wx), wh: asFloat64(p.wh), b: asFloat64(p.b), x: asFloat64(c.x), h0: c.h0 && asFloat64(c.h0) },
    hs,
  );
  if (minPreActivation(c, { shape: [c.B, c.T, c.H], data: hs }) <= RELU_KINK_MARGIN) return false;
  for (let t = 0; t < c.T; t++) {
    let active = 0;
    for (let b = 0; b < c.B; b++)
      for (let j = 0; j < c.H; j++) if ((hs[(b * c.T + t) * c.H + j] as number) > 0) active++;
    if (active < Math.max(1, (c.B * c.H) / 4)) return false;
  }
  return true;
}

/**
 * Every case of the suite, Problem 2 first. The shapes come in pairs that differ in one size, so that what
 * separates failing cases from passing ones is one feature: 'T=1' and 'T=5' differ only in T, 'B=1' and
 * 'T=5' only in B, 'H=F' and 'T=5' only in H.
 */
export function checkCases(seed = CHECK_SEED, cell: Cell = 'rnn'): CheckCase[] {
  if (cell !== 'rnn') return gatedCheckCases(seed, cell);
  const cases: CheckCase[] = [{ name: 'problem2', c: problem2Case() }];
  let s = seed;
  for (const [label, B, T, F, H] of CHECK_SHAPES) {
    for (const activation of ['tanh', 'relu'] as const) {
      for (const withH0 of [false, true]) {
        let c = randomCase(s++, B, T, F, H, activation, withH0);
        while (!alive(c)) c = randomCase(s++, B, T, F, H, activation, withH0);
        cases.push({ name: `${label} ${activation}${withH0 ? ' h0' : ''}`, c });
      }
    }
  }
  // Every pre-activation beyond 500 in magnitude: a tanh written as (e^{2a} − 1)/(e^{2a} + 1) overflows here.
  const saturated = randomCase(s, 2, 6, 3, 4, 'tanh', false);
  saturated.params.b = { shape: [4], data: Float64Array.from([600, -2500, 9000, -10000]) };
  cases.push({ name: 'saturated tanh', c: saturated, saturated: true });
  return cases;
}

/** The pairs of shapes of the suite; each differs from 'T=5' in one size. */
const CHECK_SHAPES = [
  ['T=1', 3, 1, 4, 5],
  ['T=5', 3, 5, 4, 5],
  ['B=1', 1, 5, 4, 5],
  ['H=F', 3, 5, 4, 4],
  ['T=64', 2, 64, 3, 5],
] as const;

/**
 * An LSTM's or a GRU's cases: the suite's shapes, an LSTM with no initial state, with h0 only and with h0
 * and c0, a GRU with its reset gate after and before the product, each with and without h0; then a case
 * whose gates are all saturated (every bias ±30).
 */
function gatedCheckCases(seed: number, cell: 'lstm' | 'gru'): CheckCase[] {
  const variants =
    cell === 'lstm'
      ? [
          { name: '', o: { h0: false, c0: false } },
          { name: ' h0', o: { h0: true, c0: false } },
          { name: ' h0 c0', o: { h0: true, c0: true } },
        ]
      : [true, false].flatMap((after) =>
          [false, true].map((h0) => ({
            name: ` reset ${after ? 'after' : 'before'}${h0 ? ' h0' : ''}`,
            o: { h0, resetAfter: after },
          })),
        );
  const cases: CheckCase[] = [];
  let s = seed;
  for (const [label, B, T, F, H] of CHECK_SHAPES) {
    for (const v of variants)
      cases.push({ name: `${label}${v.name}`, c: scaledCase({ B, T, F, H }, 'tanh', s++, { cell, ...v.o }) });
  }
  // Every gate's pre-activation near ±30, where σ is 0 or 1 to 13 digits and a σ written e^a/(1 + e^a) still holds.
  for (const resetAfter of cell === 'gru' ? [true, false] : [true]) {
    const c = scaledCase({ B: 2, T: 6, F: 3, H: 4 }, 'tanh', s++, { cell, resetAfter });
    const b = c.params.b.data as Float64Array;
    for (let k = 0; k < b.length; k++) b[k] = k % 3 === 1 ? -30 : 30;
    const name = cell === 'gru' ? `saturated gates reset ${resetAfter ? 'after' : 'before'}` : 'saturated gates';
    cases.push({ name, c, saturated: true });
  }
  return cases;
}

/**
 * Keeps, per quantity, the row of the case with the worst ratio (a case that threw is the worst there
 * is), the largest error over all cases, and each case's outcome, from which a failed row learns what
 * its failing cases share (failsWhen).
 */
export class Worst {
  private readonly rows = new Map<string, CheckRow>();
  private readonly maxErrors = new Map<string, number>();
  private readonly outcomes = new Map<string, Outcome[]>();
  constructor(private readonly backend: string) {}

  add(row: CheckRow, outcome?: Outcome): void {
    this.maxErrors.set(row.quantity, Math.max(row.maxError, this.maxErrors.get(row.quantity) ?? 0));
    if (outcome !== undefined) this.outcomes.set(row.quantity, [...(this.outcomes.get(row.quantity) ?? []), outcome]);
    const prev = this.rows.get(row.quantity);
    if (prev === undefined || !(row.worstRatio <= prev.worstRatio)) this.rows.set(row.quantity, row);
  }

  /** A comparison of `actual` with `expected`; with the case, its outcome counts for failsWhen. */
  compared(
    quantity: string,
    caseName: string,
    cmp: Comparison,
    tol: Tolerance,
    actual: Tensor,
    expected: Tensor,
    cc?: CheckCase,
  ): void {
    const w = cmp.ok ? undefined : worstElement(cmp, actual, expected);
    const elementOf = quantity.startsWith('peer') ? 'element' : quantity;
    this.add(
      {
        backend: this.backend,
        quantity,
        maxError: cmp.maxAbsError,
        tolerance: tol.atol,
        worstRatio: cmp.worstRatio,
        worstCase: caseName,
        ...verdict(cmp.ok),
        ...(w === undefined
          ? {}
          : {
              worst: { ...w, element: elementName(elementOf, w.index, expected.shape, cc?.c.cell) },
              mismatches: cmp.mismatches,
              size: cmp.size,
            }),
      },
      cc && {
        features: caseFeatures(cc.c, cc.saturated),
        failed: !cmp.ok,
        evidence: cc.saturated !== true && !compareTensors(zerosLike(expected), expected, tol).ok,
      },
    );
  }

  threw(quantity: string, caseName: string, e: unknown, cc?: CheckCase): void {
    const outcome = cc && { features: caseFeatures(cc.c, cc.saturated), failed: true, evidence: true };
    if (this.rows.get(quantity)?.worstRatio === Infinity) {
      if (outcome !== undefined) this.outcomes.set(quantity, [...(this.outcomes.get(quantity) ?? []), outcome]);
      return; // the first failure's message stays
    }
    this.add({ ...failedRow(this.backend, quantity, `${caseName}: ${errorText(e)}`), ...childDetails(e) }, outcome);
  }

  result(): CheckRow[] {
    return [...this.rows.values()].map((r) => {
      const row = { ...r, maxError: this.maxErrors.get(r.quantity) ?? r.maxError };
      const outcomes = this.outcomes.get(r.quantity);
      const failsWhen = outcomes && separatingFeatures(outcomes);
      if (failsWhen === undefined || outcomes === undefined) return row;
      return { ...row, failsWhen, failsEverywhere: outcomes.every((o) => o.failed || !o.evidence) };
    });
  }
}

const zerosLike = (t: Tensor): Tensor => ({ shape: t.shape, data: new Float64Array(t.data.length) });

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
export const verdict = (ok: boolean) =>
  ok ? { status: 'pass' as const, ok: true } : { status: 'fail' as const, ok: false };

/** A row for a failure without numbers: a backend that threw, hung, or could not be created. */
export function failedRow(backend: string, quantity: string, reason: string): CheckRow {
  return {
    backend,
    quantity,
    maxError: Infinity,
    tolerance: 0,
    worstRatio: Infinity,
    worstCase: reason,
    status: 'fail',
    ok: false,
  };
}

/** A row for what a backend's declarations leave out (never a pass). */
export function gapRow(backend: string, gap: Gap, left = ''): CheckRow {
  return {
    backend,
    quantity: gap.what,
    maxError: NaN,
    tolerance: NaN,
    worstRatio: NaN,
    worstCase: `${gap.reason}${left}`,
    status: gap.status,
    ok: false,
  };
}

/**
 * Compares `backend` with `reference` on every case within its capabilities (default: what the backend
 * declares): one row per quantity it provides. A case on which it throws fails the quantities of that
 * call, with the message, and the other cases still run.
 */
export async function checkBackend(
  backend: RnnBackend,
  reference: RnnBackend,
  cases: readonly CheckCase[] = checkCases(),
  caps = resolveCapabilities(backend),
): Promise<CheckRow[]> {
  const worst = new Worst(backend.name);
  for (const cc of cases) {
    const { name, c: original } = cc;
    if (outsideCapabilities(caps, original) !== undefined) continue;
    const c = adaptCase(caps, original);
    const gradients = checkedGradients(caps, c.cell);
    const o = caseOptions(c);
    const tol = toleranceFor(backend.precision, c);
    const hsRef = await reference.forward(c.params, c.x, o);
    try {
      const hs = await backend.forward(c.params, c.x, o);
      worst.compared('hs', name, compareTensors(hs, hsRef, tol), tol, hs, hsRef, cc);
    } catch (e) {
      worst.threw('hs', name, e, cc);
    }
    if (gradients.length === 0) continue; // forward only
    const gRef = await reference.backward(c.params, c.x, hsRef, c.dhs, o);
    try {
      const g = await backend.backward(c.params, c.x, hsRef, c.dhs, o);
      for (const k of gradients) {
        const [got, want] = [g[k], gradientOf(gRef, k, reference.name)];
        if (got === undefined || got === null) worst.threw(`d${k}`, name, new Error(`backward returned no d${k}`), cc);
        else worst.compared(`d${k}`, name, compareTensors(got, want, tol), tol, got, want, cc);
      }
    } catch (e) {
      for (const k of gradients) worst.threw(`d${k}`, name, e, cc);
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
    return { ...failedRow(backend.name, 'problem2', `notebook: ${errorText(e)}`), ...childDetails(e) };
  }
  const last: Tensor = { shape: [4], data: hs.data.slice(-4) };
  const tol = Math.max(PROBLEM2.tolerance, toleranceFor(backend.precision, c).atol);
  const expected: Tensor = { shape: [4], data: Float64Array.from(PROBLEM2.expectedLastH) };
  const cmp = compareTensors(last, expected, { atol: tol, rtol: 0 });
  const w = cmp.ok ? undefined : worstElement(cmp, last, expected);
  return {
    backend: backend.name,
    quantity: 'problem2',
    maxError: cmp.maxAbsError,
    tolerance: tol,
    worstRatio: cmp.worstRatio,
    worstCase: 'notebook',
    ...verdict(cmp.ok),
    ...(w === undefined
      ? {}
      : { worst: { ...w, element: `the last h[${w.index.join(',')}]` }, mismatches: cmp.mismatches, size: cmp.size }),
  };
}

/**
 * The peers' own expectations (src/check/peer-cases.ts), each with the peer's tolerance: one row for the
 * forward cases ('peer hs') and one for the gradient case ('peer grads'). Cases outside the backend's
 * capabilities are counted in the rows of what it leaves out.
 */
export async function checkPeers(
  backend: RnnBackend,
  caps = resolveCapabilities(backend),
): Promise<{ rows: CheckRow[]; left: number }> {
  const worst = new Worst(backend.name);
  let left = 0;
  for (const p of peerCases()) {
    if (outsideCapabilities(caps, peerRnnCase(p)) !== undefined) {
      left++;
      continue;
    }
    try {
      const shape = p.expected.which === 'all' ? [p.B, p.T, p.H] : [p.B, p.H];
      worst.add(
        peerRow(
          backend.name,
          'peer hs',
          `${p.name} (${p.source.split(' ')[0]})`,
          await runPeerCase(backend, p),
          p.expected.atol,
          p.expected.which === 'all' ? 'hs' : 'h_T',
          shape,
        ),
      );
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
      const got: [string, Tensor, number[]][] = [
        ['hs', hs, e.hs],
        ...checkedGradients(caps).map(
          (k) =>
            [`d${k}`, gradientOf(g, k, backend.name), e[`grad_${k as SimpleGradientKey}`]] as [
              string,
              Tensor,
              number[],
            ],
        ),
      ];
      for (const [what, actual, expected] of got) {
        worst.add(
          peerRow(
            backend.name,
            'peer grads',
            `${p.name} ${what} (${p.source.split(' ')[0]})`,
            comparePeer(actual.data, expected, e),
            e.atol,
            what,
            actual.shape,
          ),
        );
      }
    } catch (e) {
      worst.threw('peer grads', p.name, e);
    }
  }
  return { rows: worst.result(), left };
}

/**
 * Other frameworks' expectations for an LSTM or a GRU (check/gated-peer-cases.ts), each with that
 * framework's tolerance: one row, 'peer hs'. Cases outside the backend's capabilities are counted as left.
 */
export async function checkGatedPeers(
  backend: RnnBackend,
  cell: 'lstm' | 'gru',
  caps = resolveCapabilities(backend),
): Promise<{ rows: CheckRow[]; left: number }> {
  const worst = new Worst(backend.name);
  let left = 0;
  for (const p of gatedPeerCases(cell)) {
    if (outsideCapabilities(caps, gatedPeerRnnCase(p)) !== undefined) {
      left++;
      continue;
    }
    try {
      const { what, shape } = gatedPeerExpected(p);
      const cmp = await runGatedPeerCase(backend, p);
      worst.add(peerRow(backend.name, 'peer hs', `${p.name} (${p.project})`, cmp, p.tolerance.atol, what, shape));
    } catch (e) {
      worst.threw('peer hs', p.name, e);
    }
  }
  return { rows: worst.result(), left };
}

/** A row for one comparison with a peer's expected values; a failed one names its worst element. */
function peerRow(
  backend: string,
  quantity: string,
  caseName: string,
  p: PeerComparison,
  tolerance: number,
  what: string,
  shape: readonly number[],
): CheckRow {
  const ok = p.ratio <= 1;
  const row: CheckRow = {
    backend,
    quantity,
    maxError: p.maxError,
    tolerance,
    worstRatio: p.ratio,
    worstCase: caseName,
    ...verdict(ok),
  };
  if (ok || p.index < 0 || p.got === undefined || p.expected === undefined) return row;
  const index = unflatten(p.index, shape);
  return {
    ...row,
    worst: { index, got: p.got, expected: p.expected, element: elementName(what, index) },
    mismatches: p.mismatches,
    size: p.size,
  };
}
