/**
 * Hunting one bug: the fixed check suite, then the fuzz properties (agreement, and agreement where tanh
 * saturates), against `loops`. The fuzz properties always run, so a caught bug also gets its shrunk
 * counterexample.
 */
import fc from 'fast-check';
import { agreementProperty, GATED_SATURATED, saturationProperty } from '../check/properties.js';
import { CHECK_SEED, checkBackend, checkCases, checkProblem2, type CheckRow } from '../check/suite.js';
import type { Cell } from '../core/kinds.js';
import type { RnnCase } from '../check/arbitraries.js';
import type { RnnBackend } from '../core/rnn.js';

export type Counterexample = {
  B: number;
  T: number;
  F: number;
  H: number;
  activation: string;
  h0: boolean;
  /** A gated entry's cell. */
  cell?: Cell;
};
export type HuntResult = {
  killed: boolean;
  /** Which checks failed: 'check:<quantity>' (the fixed suite) and 'fuzz:<property>'. */
  caughtBy: string[];
  /** The shape of fuzz's shrunk counterexample (the first property that failed), or null. */
  counterexample: Counterexample | null;
  /** Milliseconds until the first check that caught it (the whole hunt when nothing did). */
  ms: number;
};

/** Fuzz runs and seed, and the cell the bug is in (default 'rnn'). */
export type HuntOptions = { runs?: number; seed?: number; cell?: Cell };

export async function hunt(
  backend: RnnBackend,
  reference: RnnBackend,
  { runs = 100, seed = 1, cell = 'rnn' }: HuntOptions = {},
): Promise<HuntResult> {
  const start = performance.now();
  const caughtBy: string[] = [];
  let firstCatch: number | undefined;
  const caught = (by: string) => {
    caughtBy.push(by);
    firstCatch ??= performance.now() - start;
  };
  const suite = await checkBackend(backend, reference, checkCases(CHECK_SEED, cell));
  const rows: CheckRow[] = cell === 'rnn' ? [await checkProblem2(backend), ...suite] : suite;
  for (const r of rows) if (r.status === 'fail') caught(`check:${r.quantity}`);
  let counterexample: Counterexample | null = null;
  for (const [name, property] of [
    [
      'agreement',
      cell === 'rnn' ? agreementProperty(backend, reference) : agreementProperty(backend, reference, { cell }),
    ],
    [
      'saturation',
      cell === 'rnn'
        ? saturationProperty(backend, reference)
        : agreementProperty(backend, reference, { ...GATED_SATURATED, cell }),
    ],
  ] as const) {
    const out = await fc.check(property, { numRuns: runs, seed });
    if (!out.failed) continue;
    caught(`fuzz:${name}`);
    const c = out.counterexample?.[0] as RnnCase | undefined;
    if (c !== undefined && counterexample === null)
      counterexample = {
        B: c.B,
        T: c.T,
        F: c.F,
        H: c.H,
        activation: c.activation,
        h0: c.h0 !== undefined,
        ...(cell === 'rnn' ? {} : { cell }),
      };
  }
  return {
    killed: caughtBy.length > 0,
    caughtBy,
    counterexample,
    ms: Math.round(firstCatch ?? performance.now() - start),
  };
}
