/**
 * Hunting one bug: the fixed check suite, then the fuzz properties (agreement, and agreement where tanh
 * saturates), against `loops`. The fuzz properties always run, so a caught bug also gets its shrunk
 * counterexample.
 */
import fc from 'fast-check';
import { agreementProperty, saturationProperty } from '../check/properties.js';
import { checkBackend, checkCases, checkProblem2, type CheckRow } from '../check/suite.js';
import type { RnnCase } from '../check/arbitraries.js';
import type { RnnBackend } from '../core/rnn.js';

export type Counterexample = { B: number; T: number; F: number; H: number; activation: string; h0: boolean };
export type HuntResult = {
  killed: boolean;
  /** Which checks failed: 'check:<quantity>' (the fixed suite) and 'fuzz:<property>'. */
  caughtBy: string[];
  /** The shape of fuzz's shrunk counterexample (the first property that failed), or null. */
  counterexample: Counterexample | null;
  /** Milliseconds until the first check that caught it (the whole hunt when nothing did). */
  ms: number;
};

export type HuntOptions = { runs?: number; seed?: number };

export async function hunt(
  backend: RnnBackend,
  reference: RnnBackend,
  { runs = 100, seed = 1 }: HuntOptions = {},
): Promise<HuntResult> {
  const start = performance.now();
  const caughtBy: string[] = [];
  let firstCatch: number | undefined;
  const caught = (by: string) => {
    caughtBy.push(by);
    firstCatch ??= performance.now() - start;
  };
  const rows: CheckRow[] = [await checkProblem2(backend), ...(await checkBackend(backend, reference, checkCases()))];
  for (const r of rows) if (r.status === 'fail') caught(`check:${r.quantity}`);
  let counterexample: Counterexample | null = null;
  for (const [name, property] of [
    ['agreement', agreementProperty(backend, reference)],
    ['saturation', saturationProperty(backend, reference)],
  ] as const) {
    const out = await fc.check(property, { numRuns: runs, seed });
    if (!out.failed) continue;
    caught(`fuzz:${name}`);
    const c = out.counterexample?.[0] as RnnCase | undefined;
    if (c !== undefined && counterexample === null)
      counterexample = { B: c.B, T: c.T, F: c.F, H: c.H, activation: c.activation, h0: c.h0 !== undefined };
  }
  return {
    killed: caughtBy.length > 0,
    caughtBy,
    counterexample,
    ms: Math.round(firstCatch ?? performance.now() - start),
  };
}
