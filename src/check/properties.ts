/**
 * The harness's properties, shared by the vitest suites in properties/ and by `rnn-harness fuzz`:
 * the oracle agrees with the reference, and any backend agrees with the reference.
 */
import fc from 'fast-check';
import { checkedGradients, GRADIENT_KEYS, resolveCapabilities } from '../capabilities.js';
import { numericGradients, ORACLE_BAR, oracleError } from '../oracle/finite-difference.js';
import type { RnnBackend, RnnGradients } from '../rnn.js';
import type { Tensor } from '../tensor.js';
import { caseOptions, constraintsFor, describeCase, minPreActivation, rnnCase, type CaseConstraints, type RnnCase } from './arbitraries.js';
import { compareTensors } from './compare.js';
import { toleranceFor } from './tolerance.js';

export { GRADIENT_KEYS };

/** How far every pre-activation must stay from relu's kink for finite differences to be meaningful. */
export const RELU_KINK_MARGIN = 1e-3;

/** Throws a readable error when `actual` and `expected` disagree under the tolerance of `backend`. */
export function assertAgrees(backend: RnnBackend, c: RnnCase, what: string, actual: Tensor, expected: Tensor): void {
  const tol = toleranceFor(backend.precision, c);
  const cmp = compareTensors(actual, expected, tol);
  if (!cmp.ok) {
    throw new Error(
      `${backend.name} ${what} disagrees with the reference on ${describeCase(c)}: ` +
        `max |error| ${cmp.maxAbsError.toExponential(3)}, worst error/tolerance ${cmp.worstRatio.toExponential(3)} ` +
        `at index ${cmp.worstIndex} (got ${actual.data[cmp.worstIndex]}, expected ${expected.data[cmp.worstIndex]}; ` +
        `atol ${tol.atol.toExponential(2)}, rtol ${tol.rtol.toExponential(2)})`,
    );
  }
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
  const gradients = checkedGradients(resolveCapabilities(backend));
  if (gradients.length === 0) return; // forward only
  const gRef = await reference.backward(c.params, c.x, hsRef, c.dhs, o);
  const g: RnnGradients = await backend.backward(c.params, c.x, hsRef, c.dhs, o);
  for (const k of gradients) assertAgrees(backend, c, `d${k}`, g[k], gRef[k]);
}

/** The reference's analytic gradients agree with finite differences (relu cases near a kink are skipped). */
export async function checkOracle(reference: RnnBackend, c: RnnCase): Promise<void> {
  const o = caseOptions(c);
  const hs = await reference.forward(c.params, c.x, o);
  fc.pre(c.activation !== 'relu' || minPreActivation(c, hs) > RELU_KINK_MARGIN);
  const analytic = await reference.backward(c.params, c.x, hs, c.dhs, o);
  const numeric = await numericGradients(reference, c.params, c.x, c.dhs, o);
  for (const k of GRADIENT_KEYS) {
    const err = oracleError(analytic[k], numeric[k]);
    if (!(err <= ORACLE_BAR)) {
      throw new Error(
        `${reference.name} d${k} disagrees with finite differences on ${describeCase(c)}: ` +
          `relative error ${err.toExponential(3)} > ${ORACLE_BAR}`,
      );
    }
  }
}

/**
 * Cases for comparisons that a kink disturbs (finite differences; float32 against float64): relu cases
 * draw values of magnitude >= 0.05, so few land near the kink.
 */
export function kinkAwareCases(c: CaseConstraints = {}): fc.Arbitrary<RnnCase> {
  const tanh = rnnCase({ ...c, activation: 'tanh' });
  const relu = rnnCase({ minMagnitude: 0.05, ...c, activation: 'relu' });
  if (c.activation === 'tanh') return tanh;
  if (c.activation === 'relu') return relu;
  return fc.oneof(tanh, relu);
}

/** The oracle property; relu cases within RELU_KINK_MARGIN of the kink are discarded (fc.pre). */
export const oracleProperty = (reference: RnnBackend, c: CaseConstraints = {}) =>
  fc.asyncProperty(kinkAwareCases(c), (rc) => checkOracle(reference, rc));

/** Agreement with the reference on cases within the backend's declared capabilities. */
export const agreementProperty = (backend: RnnBackend, reference: RnnBackend, constraints: CaseConstraints = {}) => {
  const c = constraintsFor(resolveCapabilities(backend), constraints);
  return fc.asyncProperty(backend.precision === 'float64' ? rnnCase(c) : kinkAwareCases(c), (rc) => checkAgreement(backend, reference, rc));
};

/** Saturated tanh cases: every pre-activation beyond 88 in magnitude (see rnnCase's biasMagnitude). */
export const SATURATED: CaseConstraints = { activation: 'tanh', biasMagnitude: [100, 1e4] };

/** Agreement where tanh saturates: catches a tanh that overflows to NaN or Infinity. */
export const saturationProperty = (backend: RnnBackend, reference: RnnBackend) => agreementProperty(backend, reference, SATURATED);
