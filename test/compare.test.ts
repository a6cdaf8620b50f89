import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../src/bench/runner.js';
import { compareResults, confirmComparison, flaggedGroups, type BaselineResult } from '../src/bench/compare.js';
import { compareCells } from '../src/report/format.js';

// A shape of real work: the threshold is doubled for a call of under 10,000 floating-point operations.
const shape = { B: 32, T: 50, F: 32, H: 128 };
/** 20 samples around `ms`, ±2 %. */
const samples = (ms: number) => Array.from({ length: 20 }, (_, k) => ms * (1 + ((k % 5) - 2) * 0.01));
const result = (backend: string, ms: number, rme = 2, sampleMs: number[] | undefined = samples(ms)): BenchResult => ({
  backend,
  shape,
  op: 'train',
  meanMs: ms,
  rme,
  deviationMs: 0,
  samples: 20,
  gflops: 1,
  roundsMs: [ms],
  ...(sampleMs ? { sampleMs } : {}),
});
const verdicts = (baseline: BaselineResult[], current: BenchResult[], minChange = 70) =>
  Object.fromEntries(compareResults(baseline, current, minChange).rows.map((r) => [r.backend, r.verdict]));

describe('compareResults', () => {
  it('should take out the drift the backends timed beside it share: all 1.5x slower is no change', () => {
    const base = [result('a', 10), result('b', 20), result('c', 5)];
    const now = [result('a', 15), result('b', 30), result('c', 7.5)];
    expect(verdicts(base, now, 20)).toEqual({ a: 'same', b: 'same', c: 'same' });
    const [row] = compareResults(base, now, 20).rows;
    expect(row?.drift).toBeCloseTo(1.5, 12);
    expect(row?.net).toBeCloseTo(1, 12);
  });

  it('should call one backend 2x slower than the others a regression, and one 2x faster an improvement', () => {
    const base = [result('a', 10), result('b', 20), result('c', 5), result('d', 8)];
    expect(verdicts(base, [result('a', 20), result('b', 20), result('c', 5), result('d', 8)])).toEqual({
      a: 'regression',
      b: 'same',
      c: 'same',
      d: 'same',
    });
    expect(verdicts(base, [result('a', 10), result('b', 10), result('c', 5), result('d', 8)])).toEqual({
      a: 'same',
      b: 'improvement',
      c: 'same',
      d: 'same',
    });
  });

  it('should say no change when the rank test cannot tell the samples apart, however far the medians moved', () => {
    // The same spread of samples twice as slow at the median, but overlapping in rank.
    const wide = (ms: number) =>
      Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? ms * 0.1 : ms * 3 * (1 + k / 100)));
    const base = [result('a', 10, 2, wide(10)), result('b', 20), result('c', 5)];
    const now = [
      result(
        'a',
        10,
        2,
        wide(10).map((v, k) => (k % 2 === 0 ? v : v * 2.5)),
      ),
      result('b', 20),
      result('c', 5),
    ];
    const [a] = compareResults(base, now, 70).rows;
    expect(a?.net).toBeGreaterThan(2);
    expect(a?.significant).toBe(false);
    expect(a?.verdict).toBe('same');
  });

  it('should not call 0.55x faster when the samples, spread ±67.5 %, overlap so that a rank test cannot tell them apart', () => {
    // The case of a rerun that read '0.553 ±67.5 % improvement': medians far apart, samples all over each other.
    const spread = (ms: number, k: number) => ms * [0.2, 1, 1.8, 0.3, 1.7][k % 5]! * (1 + k / 1000);
    const base = [
      result(
        'a',
        10,
        47.7,
        Array.from({ length: 20 }, (_, k) => spread(10, k)),
      ),
      result('b', 20, 47.7),
      result('c', 5, 47.7),
    ];
    const now = [
      result(
        'a',
        5.53,
        47.7,
        Array.from({ length: 20 }, (_, k) => spread(k % 5 === 1 ? 5.53 : 10, k + 1)),
      ),
      result('b', 20, 47.7),
      result('c', 5, 47.7),
    ];
    const [a] = compareResults(base, now, 5).rows;
    expect(a?.thresholdPct).toBeCloseTo(Math.hypot(47.7, 47.7), 9);
    expect(a?.significant).toBe(false);
    expect(a?.verdict).toBe('same');
  });

  it('should take the threshold as the larger of --min-change and the noise both runs measured', () => {
    const base = [result('a', 10, 3), result('b', 10, 3), result('c', 10, 3)];
    const [row] = compareResults(
      base,
      [{ ...result('a', 11.4, 4), roundsMs: [10, 11] }, result('b', 10), result('c', 10)],
      0,
    ).rows;
    expect(row?.noisePct).toBeCloseTo(15, 12); // √(3² + 4²) = 5, and rounds 10 and 11 spread 10 %
    expect(row?.thresholdPct).toBeCloseTo(15, 12);
    expect(
      compareResults(base, [result('a', 11.4, 4), result('b', 10), result('c', 10)], 30).rows[0]?.thresholdPct,
    ).toBe(30);
  });

  it('should double --min-change for a call shorter than 5 ms, which measures the machine as much as the backend', () => {
    const short = [result('a', 1), result('b', 2), result('c', 0.5)];
    expect(verdicts(short, [result('a', 2), result('b', 2), result('c', 0.5)])).toEqual({
      a: 'same',
      b: 'same',
      c: 'same',
    });
    expect(verdicts(short, [result('a', 2.5), result('b', 2), result('c', 0.5)])).toEqual({
      a: 'regression',
      b: 'same',
      c: 'same',
    });
    expect(compareResults(short, [result('a', 2), result('b', 2), result('c', 0.5)], 70).rows[0]?.thresholdPct).toBe(
      140,
    );
  });

  it('should double --min-change for a shape of almost no work, however long its call takes', () => {
    const tiny = { B: 1, T: 3, F: 2, H: 4 };
    const at = (r: BenchResult, s = tiny): BenchResult => ({ ...r, shape: s });
    const base = [at(result('a', 6)), at(result('b', 20)), at(result('c', 10))];
    // gpujs-headlessgl's train at 1x3x2x4 went from 6.5 to 28 ms between two runs of the same code, with
    // nothing changed: +130 % is within twice 70 %, +150 % is not.
    expect(verdicts(base, [at(result('a', 13.8)), at(result('b', 20)), at(result('c', 10))])).toEqual({
      a: 'same',
      b: 'same',
      c: 'same',
    });
    expect(verdicts(base, [at(result('a', 15)), at(result('b', 20)), at(result('c', 10))]).a).toBe('regression');
    expect(compareResults(base, base, 70).rows.map((r) => r.thresholdPct)).toEqual([140, 140, 140]);
    // The same times at a shape of real work: 70 %.
    const big = base.map((r) => at(r, shape));
    expect(compareResults(big, big, 70).rows.map((r) => r.thresholdPct)).toEqual([70, 70, 70]);
  });

  it('should judge a baseline without samples by its means, only beyond twice the threshold', () => {
    const base = ['a', 'b', 'c'].map((b) => {
      const { sampleMs: _, ...old } = result(b, 10, 2);
      return old;
    });
    expect(verdicts(base, [result('a', 22), result('b', 10), result('c', 10)], 70)).toEqual({
      a: 'same',
      b: 'same',
      c: 'same',
    });
    expect(verdicts(base, [result('a', 30), result('b', 10), result('c', 10)], 70)).toEqual({
      a: 'regression',
      b: 'same',
      c: 'same',
    });
    expect(
      compareResults(base, [result('a', 30), result('b', 10), result('c', 10)], 70).rows[0]?.significant,
    ).toBeUndefined();
  });

  it('should list results with no counterpart in the baseline and leave the inputs untouched', () => {
    const baseline = [result('loops', 10)];
    const current = [result('loops', 10), { ...result('loops', 5), op: 'forward' as const }];
    const before = JSON.stringify([baseline, current]);
    const report = compareResults(baseline, current, 5, 'old.json');
    expect(report.rows).toHaveLength(1);
    expect(report.unmatched).toEqual(['loops forward 32x50x32x128']);
    expect(report.baseline).toBe('old.json');
    expect(JSON.stringify([baseline, current])).toBe(before);
  });
});

describe('confirmComparison', () => {
  const base = [result('a', 10), result('b', 20), result('c', 5), result('d', 8)];
  const first = compareResults(base, [result('a', 20), result('b', 10), result('c', 5), result('d', 8)], 70);

  it('should list the shape and op of every flagged row once, for measuring them again', () => {
    expect(first.rows.map((r) => r.verdict)).toEqual(['regression', 'improvement', 'same', 'same']);
    expect(flaggedGroups(first)).toEqual([{ shape, op: 'train' }]);
    expect(
      flaggedGroups(
        compareResults(
          base,
          base.map((r) => result(r.backend, r.meanMs)),
          70,
        ),
      ),
    ).toEqual([]);
  });

  it('should keep a verdict the second measurement repeats, with both net changes', () => {
    const again = compareResults(base, [result('a', 22), result('b', 9), result('c', 5), result('d', 8)], 70);
    const rows = confirmComparison(first, again).rows;
    expect(rows.map((r) => r.verdict)).toEqual(['regression', 'improvement', 'same', 'same']);
    expect(rows[0]?.net).toBeCloseTo(2, 12);
    expect(rows[0]?.confirmation?.net).toBeCloseTo(2.2, 12);
    expect(rows[0]?.confirmation?.verdict).toBe('regression');
    expect(rows[2]?.confirmation).toBeUndefined();
  });

  it('should call no change where the second measurement does not repeat the first (a burst of load)', () => {
    const again = compareResults(base, [result('a', 11), result('b', 20), result('c', 5), result('d', 8)], 70);
    const rows = confirmComparison(first, again).rows;
    expect(rows.map((r) => r.verdict)).toEqual(['same', 'same', 'same', 'same']);
    expect(rows[0]?.confirmation).toEqual({ net: rows[0]?.confirmation?.net, verdict: 'same' });
    expect(rows[0]?.confirmation?.net).toBeCloseTo(1.1, 12);
    expect(compareCells(rows[0]!).at(-1)).toBe('no change (not confirmed: +10 % measured again)');
    expect(compareCells(confirmComparison(first, first).rows[0]!).at(-1)).toBe(
      'REGRESSION (confirmed: +100 % measured again)',
    );
  });

  it('should judge nothing when the host took 5 % of the CPU or more while it measured again', () => {
    const again = compareResults(base, [result('a', 22), result('b', 9), result('c', 5), result('d', 8)], 70);
    const busy = confirmComparison(first, again, 12.4).rows;
    expect(busy.map((r) => r.verdict)).toEqual(['same', 'same', 'same', 'same']);
    expect(busy[0]?.confirmation).toMatchObject({ verdict: 'regression', stealPct: 12.4 });
    expect(compareCells(busy[0]!).at(-1)).toBe(
      'no change (not judged: +120 % measured again, while the host took 12 % of the CPU)',
    );
    // Under the limit, the verdicts stand.
    const quiet = confirmComparison(first, again, 4.9).rows;
    expect(quiet.map((r) => r.verdict)).toEqual(['regression', 'improvement', 'same', 'same']);
    expect(compareCells(quiet[0]!).at(-1)).toBe('REGRESSION (confirmed: +120 % measured again)');
  });

  it('should call nothing faster than a baseline timed while the host took CPU, and still call a regression', () => {
    const again = compareResults(base, [result('a', 22), result('b', 9), result('c', 5), result('d', 8)], 70);
    const rows = confirmComparison(first, again, 0.5, 5, 11.8).rows;
    expect(rows.map((r) => r.verdict)).toEqual(['regression', 'same', 'same', 'same']);
    expect(rows[1]?.confirmation).toMatchObject({ verdict: 'improvement', notJudged: 'baseline steal' });
    expect(compareCells(rows[1]!).at(-1)).toBe(
      'no change (not judged: −55 % measured again, but the baseline was timed while the host took CPU from it)',
    );
    expect(confirmComparison(first, again, 0.5, 5, 11.8).baselineStealPct).toBe(11.8);
  });

  it('should call no change for a flagged row the second measurement lacks', () => {
    const again = compareResults(base, [result('b', 9), result('c', 5), result('d', 8)], 70);
    const rows = confirmComparison(first, again).rows;
    expect(rows[0]?.verdict).toBe('same');
    expect(compareCells(rows[0]!).at(-1)).toBe('no change (not confirmed: could not be measured again)');
  });
});
