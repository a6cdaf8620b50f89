/**
 * The oracle's property: the reference's analytic gradients agree with finite differences, on cases
 * drawn as fuzz draws them (check/arbitraries.ts), shrinking like every other property.
 */
import fc from 'fast-check';
import { GRADIENT_KEYS } from '../core/capabilities.js';
import type { RnnBackend } from '../core/rnn.js';
import {
  caseOptions,
  describeCase,
  minPreActivation,
  type CaseConstraints,
  type RnnCase,
} from '../check/arbitraries.js';
import {
  Disagreement,
  kinkAwareCases,
  RELU_KINK_MARGIN,
  watchedProperty,
  type WatchedProperty,
} from '../check/properties.js';
import { numericGradients, ORACLE_BAR, oracleError } from './finite-difference.js';

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
      throw new Disagreement(
        `${reference.name} d${k} disagrees with finite differences on ${describeCase(c)}: ` +
          `relative error ${err.toExponential(3)} > ${ORACLE_BAR}; worst error/tolerance ${(err / ORACLE_BAR).toExponential(2)}`,
        err / ORACLE_BAR,
        `d${k}`,
      );
    }
  }
}

/** The oracle property; relu cases within RELU_KINK_MARGIN of the kink are discarded (fc.pre). */
export const oracleProperty = (reference: RnnBackend, c: CaseConstraints = {}): WatchedProperty =>
  watchedProperty(kinkAwareCases(c), (rc) => checkOracle(reference, rc));
