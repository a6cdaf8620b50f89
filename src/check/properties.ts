/**
 * The harness's properties, shared by the vitest suites in properties/ and by `rnn-harness fuzz`: any
 * backend agrees with the reference (the oracle's property, that the reference agrees with finite
 * differences, is in oracle/properties.ts).
 */
import fc from 'fast-check';
import { checkedGradients, GRADIENT_KEYS, resolveCapabilities } from '../core/capabilities.js';
import { gradientOf, type RnnBackend, type RnnGradients } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import {
  caseOptions,
  constraintsFor,
  describeCase,
  minPreActivation,
  rnnCase,
  type CaseConstraints,
  type RnnCase,
} from './arbitraries.js';
import { compareTensors } from './compare.js';
import { describeMismatch, worstElement, type WorstElement } from './where.js';
import { toleranceFor } from './tolerance.js';

export { GRADIENT_KEYS };

/** How far every pre-activation must stay from relu's kink for finite differences to be meaningful. */
export const RELU_KINK_MARGIN = 1e-3;

/**
 * A disagreement with the reference: the message says which element, got and expected, and the worst
 * error/tolerance ratio; the fields carry the same for a report and for shrinking (see keepingMargin).
 */
export class Disagreement extends Error {
  override name = 'Disagreement';
  constructor(
    message: string,
    /** Worst error/tolerance (for the oracle: relative error over its bar). */
    readonly ratio: number,
    /** What disagreed: 'hs', 'dwx', … */
    readonly quantity: string,
    readonly worst?: WorstElement,
  ) {
    super(message);
  }
}

/** Throws a Disagreement when `actual` and `expected` disagree under the tolerance of `backend`. */
export function assertAgrees(backend: RnnBackend, c: RnnCase, what: string, actual: Tensor, expected: Tensor): void {
  const tol = toleranceFor(backend.precision, c);
  const cmp = compareTensors(actual, expected, tol);
  if (!cmp.ok) {
    const quantity = what.split(' ')[0] as string;
    throw new Disagreement(
      `${backend.name} ${what} disagrees with the reference on ${describeCase(c)}: ${describeMismatch(quantity, cmp, actual, expected, c.cell)} ` +
        `(max |error| ${cmp.maxAbsError.toExponential(3)}; atol ${tol.atol.toExponential(2)}, rtol ${tol.rtol.toExponential(2)})`,
      cmp.worstRatio,
      quantity,
      worstElement(cmp, actual, expected),
    );
  }
}

/**
 * The smallest error/tolerance a shrunk counterexample keeps: a hundred times what rounding may do, so
 * a shrunk bug still reads as a bug and not as noise on the tolerance line.
 */
export const WIDE_MARGIN = 100;

/** What a property saw of its first failure: the case as it was drawn, before any shrinking. */
export type FirstFailure = { case: RnnCase; error: string; ratio: number };

/** The state of one property run: the first failure, and the margin every shrunk case must keep. */
export class FailureWatch {
  first: FirstFailure | undefined;
  /** min(WIDE_MARGIN, the first failure's ratio): below it a shrunk case counts as passing. */
  margin = 1;
  reset(): void {
    this.first = undefined;
    this.margin = 1;
  }
}

/**
 * `check` as a property's predicate that shrinks without giving up the size of the bug. A case fails
 * when `check` throws; after the first failure, a Disagreement counts only while its ratio stays at or
 * above min(WIDE_MARGIN, the first ratio), so fast-check cannot trade the error away for smaller inputs
 * (it would otherwise stop on a case whose error is one tolerance, which looks like rounding). Any other
 * error (a throw, a NaN) keeps failing. fast-check runs every shrink after the first failure, so the
 * watch sees that failure first, also when a --path replay starts at the shrunk case.
 */
export function keepingMargin(
  check: (c: RnnCase) => Promise<void>,
  watch: FailureWatch,
): (c: RnnCase) => Promise<void> {
  return async (c) => {
    try {
      await check(c);
    } catch (e) {
      const ratio = e instanceof Disagreement ? e.ratio : Infinity;
      if (watch.first === undefined) {
        if (!isPrecondition(e)) {
          watch.first = { case: c, error: e instanceof Error ? e.message : String(e), ratio };
          watch.margin = Math.min(WIDE_MARGIN, ratio);
        }
      } else if (ratio < watch.margin) {
        return; // still wrong, but by too little to show a bug: not a shrink worth taking
      }
      throw e;
    }
  };
}

const isPrecondition = (e: unknown): boolean => fc.PreconditionFailure.isFailure(e);

/** A property that keeps its FailureWatch at hand, for the report of its first failure. */
export type WatchedProperty = fc.IAsyncPropertyWithHooks<[RnnCase]> & { readonly watch: FailureWatch };

/** A property over `cases` whose failures keep a wide margin while they shrink (see keepingMargin). */
export function watchedProperty(cases: fc.Arbitrary<RnnCase>, check: (c: RnnCase) => Promise<void>): WatchedProperty {
  const watch = new FailureWatch();
  return Object.assign(fc.asyncProperty(cases, keepingMargin(check, watch)), { watch });
}

/**
 * The backend's forward and every gradient it declares agree with the reference's (on a case within its
 * declarations: see constraintsFor).
 */
export async function checkAgreement(backend: RnnBackend, reference: RnnBackend, c: RnnCase): Promise<void> {
  const o = caseOptions(c);
  const hsRef = await reference.forward(c.params, c.x, o);
  // In lower precision a pre-activation within rounding of relu's kink may land on the other side, which
  // flips its derivative: such cases say nothing about the backend and are discarded.
  fc.pre(backend.precision === 'float64' || c.activation !== 'relu' || minPreActivation(c, hsRef) > RELU_KINK_MARGIN);
  const hs = await backend.forward(c.params, c.x, o);
  assertAgrees(backend, c, 'hs', hs, hsRef);
  const gradients = checkedGradients(resolveCapabilities(backend), c.cell);
  if (gradients.length === 0) return; // forward only
  const gRef = await reference.backward(c.params, c.x, hsRef, c.dhs, o);
  const g: RnnGradients = await backend.backward(c.params, c.x, hsRef, c.dhs, o);
  for (const k of gradients)
    assertAgrees(backend, c, `d${k}`, gradientOf(g, k, backend.name), gradientOf(gRef, k, reference.name));
}

/**
 * Cases for comparisons that a kink disturbs (finite differences; float32 against float64): relu cases
 * draw values of magnitude >= 0.05, so few land near the kink.
 */
export function kinkAwareCases(c: CaseConstraints = {}): fc.Arbitrary<RnnCase> {
  if (c.cell !== undefined && c.cell !== 'rnn') return rnnCase(c); // a gated cell has no kink
  const tanh = rnnCase({ ...c, activation: 'tanh' });
  const relu = rnnCase({ minMagnitude: 0.05, ...c, activation: 'relu' });
  if (c.activation === 'tanh') return tanh;
  if (c.activation === 'relu') return relu;
  return fc.oneof(tanh, relu);
}

/** Agreement with the reference on cases within the backend's declared capabilities. */
export const agreementProperty = (
  backend: RnnBackend,
  reference: RnnBackend,
  constraints: CaseConstraints = {},
): WatchedProperty => {
  const c = constraintsFor(resolveCapabilities(backend), constraints);
  return watchedProperty(backend.precision === 'float64' ? rnnCase(c) : kinkAwareCases(c), (rc) =>
    checkAgreement(backend, reference, rc),
  );
};

/** Saturated tanh cases: every pre-activation beyond 88 in magnitude (see rnnCase's biasMagnitude). */
export const SATURATED: CaseConstraints = { activation: 'tanh', biasMagnitude: [100, 1e4] };

/**
 * A gated cell's saturated cases: biases in ±[100, 1e4], so every gate's pre-activation is beyond 100 in
 * magnitude, where σ and tanh are 0, ±1 to the last digit and a σ written e^a/(1 + e^a) overflows past 709.
 */
export const GATED_SATURATED: CaseConstraints = { biasMagnitude: [100, 1e4] };

/** Agreement where tanh saturates: catches a tanh that overflows to NaN or Infinity. */
export const saturationProperty = (backend: RnnBackend, reference: RnnBackend) =>
  agreementProperty(backend, reference, SATURATED);
