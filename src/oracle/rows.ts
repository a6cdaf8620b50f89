/**
 * The oracle's rows of `rnn-harness check`: loops' analytic gradients against finite differences on every case of the
 * suite.
 */
import { gradientKeys } from '../core/capabilities.js';
import type { RnnBackend } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { caseOptions, describeCase, minPreActivation } from '../check/arbitraries.js';
import { RELU_KINK_MARGIN } from '../check/properties.js';
import { checkCases, verdict, Worst, type CheckRow } from '../check/suite.js';
import { numericGradients, ORACLE_BAR, oracleError } from './finite-difference.js';

/** The oracle against `reference`'s analytic gradients on every case (relu cases at a kink are left out). */
export async function checkOracleRows(
  reference: RnnBackend,
  cases = checkCases(),
): Promise<{ rows: CheckRow[]; skipped: string[] }> {
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
    for (const k of gradientKeys(c.cell)) {
      const err = oracleError(analytic[k] as Tensor, numeric[k] as Tensor);
      worst.add({
        backend: 'oracle',
        quantity: `d${k}`,
        maxError: err,
        tolerance: ORACLE_BAR,
        worstRatio: err / ORACLE_BAR,
        worstCase: name,
        ...verdict(err <= ORACLE_BAR),
      });
    }
  }
  return { rows: worst.result(), skipped };
}
