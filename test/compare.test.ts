import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../src/bench/runner.js';
import { compareResults, type BaselineResult } from '../src/bench/compare.js';

const shape = { B: 2, T: 3, F: 4, H: 5 };
const result = (meanMs: number, rme: number, roundsMs: number[] = [meanMs]): BenchResult => ({
  backend: 'loops', shape, op: 'train', meanMs, rme, deviationMs: 0, samples: 10, gflops: 1, roundsMs,
});
const base = (meanMs: number, rme: number, roundsMs?: number[]): BaselineResult => ({ backend: 'loops', shape, op: 'train', meanMs, rme, ...(roundsMs ? { roundsMs } : {}) });

describe('compareResults', () => {
  it('should take the noise as the hypotenuse of both rme plus the larger round spread', () => {
    // rme 3% and 4% give 5%; rounds 10 and 11 ms spread 10%: the threshold is 15%.
    const [row] = compareResults([base(10, 3)], [result(11.4, 4, [10, 11])], 0).rows;
    expect(row?.noisePct).toBeCloseTo(15, 12);
    expect(row?.thresholdPct).toBeCloseTo(15, 12);
    expect(row?.verdict).toBe('same');
  });

  it('should call a change just beyond the threshold a regression or an improvement', () => {
    expect(compareResults([base(10, 3)], [result(11.6, 4, [10, 11])], 0).rows[0]?.verdict).toBe('regression');
    expect(compareResults([base(10, 3)], [result(10 / 1.16, 4, [10, 11])], 0).rows[0]?.verdict).toBe('improvement');
  });

  it('should not count a change below the --min-change floor when the runs measured little noise', () => {
    const [row] = compareResults([base(10, 0.3)], [result(10.4, 0.4)], 5).rows;
    expect(row?.noisePct).toBeCloseTo(0.5, 12);
    expect(row?.thresholdPct).toBe(5);
    expect(row?.verdict).toBe('same');
    expect(compareResults([base(10, 0.3)], [result(10.6, 0.4)], 5).rows[0]?.verdict).toBe('regression');
  });

  it('should list results with no counterpart in the baseline and leave the inputs untouched', () => {
    const baseline = [base(10, 1)];
    const current = [result(10, 1), { ...result(5, 1), op: 'forward' as const }];
    const before = JSON.stringify([baseline, current]);
    const report = compareResults(baseline, current, 5, 'old.json');
    expect(report.rows).toHaveLength(1);
    expect(report.unmatched).toEqual(['loops forward 2x3x4x5']);
    expect(report.baseline).toBe('old.json');
    expect(JSON.stringify([baseline, current])).toBe(before);
  });
});
