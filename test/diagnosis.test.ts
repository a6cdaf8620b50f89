/**
 * Failures that say what is wrong, where and when: four classic backprop slips planted in a plug-in
 * (test/fixtures/plugins/planted-bugs.mjs) must shrink, in fuzz, to a small case that still fails by a
 * wide margin, and check must name the worst element and what the failing cases share.
 */
import { describe, expect, it } from 'vitest';
import { caseFeatures, failsWhenLine, separatingFeatures, type Outcome } from '../src/check/diagnosis.js';
import { WIDE_MARGIN } from '../src/check/properties.js';
import type { BackendEntry } from '../src/registry/types.js';
import { runCheck } from '../src/run/check.js';
import { runFuzz } from '../src/run/fuzz.js';
import { resolveCapabilities } from '../src/core/capabilities.js';
import { conformanceTests, type ConformanceTest } from '../src/conformance/tests.js';
import { createBackend } from '../src/index.js';

const planted = (await import('./fixtures/plugins/planted-bugs.mjs')).default as BackendEntry[];
const entry = (name: string) => planted.find((e) => e.name === name) as BackendEntry;

/** Each bug: the quantity and condition check must show, and one quantity whose worst element it names. */
const BUGS = [
  { name: 'averaged-db', quantity: 'db', failsWhen: ['B>1'] },
  { name: 'no-carry', quantity: 'dwh', failsWhen: ['T>1'] },
  { name: 'h0-ignored', quantity: 'dwh', failsWhen: ['h0'] },
  { name: 'wh-not-transposed', quantity: 'dwx', failsWhen: ['T>1'] },
] as const;

describe('fuzz on a planted bug', () => {
  it.each(BUGS.flatMap((b) => [1, 2].map((seed) => [b.name, seed] as const)))(
    'should shrink %s (seed %i) to B·T·F·H <= 8 with error/tolerance >= 100, values on the 1/8 grid',
    async (name, seed) => {
      const report = await runFuzz({ backends: [entry(name)], property: 'agreement', runs: 100, seed });
      expect(report.failures).toHaveLength(1);
      const f = report.failures[0]!;
      const { B, T, F, H } = (f.counterexample as { shape: Record<string, number> }).shape as Record<
        'B' | 'T' | 'F' | 'H',
        number
      >;
      expect(B * T * F * H).toBeLessThanOrEqual(8);
      expect(f.ratio).toBeGreaterThanOrEqual(WIDE_MARGIN);
      expect(f.error).toMatch(/worst error\/tolerance \d\.\d\de\+\d+/);
      expect(f.error).toMatch(/relative error|where 0 was expected/);
      expect(f.worst?.index.length).toBeGreaterThan(0);
      for (const k of ['wx', 'wh', 'b', 'x', 'dhs'] as const) {
        const t = (f.counterexample as Record<string, { data: number[] }>)[k]!;
        for (const v of t.data) expect(Number.isInteger(v * 8)).toBe(true);
      }
      expect(f.original?.ratio).toBeGreaterThan(1);
    },
  );
});

describe('check on a planted bug', () => {
  it.each(BUGS)(
    'should name the worst element of $quantity for $name and that it fails only when $failsWhen',
    async ({ name, quantity, failsWhen }) => {
      const report = await runCheck({ backends: [entry(name)] });
      const row = report.rows.find((r) => r.backend === name && r.quantity === quantity)!;
      expect(row.status).toBe('fail');
      expect(row.failsWhen).toEqual(failsWhen);
      expect(row.worst?.index.length).toBe(quantity === 'db' ? 1 : 2);
      expect(row.worst?.got).not.toBeCloseTo(row.worst?.expected ?? NaN, 3);
      expect(row.mismatches).toBeGreaterThan(0);
      expect(row.mismatches).toBeLessThanOrEqual(row.size ?? 0);
      // The rows that pass are the ones the bug cannot reach.
      expect(report.rows.find((r) => r.backend === name && r.quantity === 'hs')?.status).toBe('pass');
    },
  );

  it('should name the catalog entry whose signature the failures match, as a likely cause', async () => {
    const report = await runCheck({ backends: [entry('averaged-db'), entry('h0-ignored')] });
    expect(report.likelyCauses['averaged-db']?.map((c) => c.name)).toEqual(['bias-grad-averaged']);
    // Ignoring h0 only in backward is not the catalog's h0-ignored (which ignores it in forward too).
    expect(report.likelyCauses['h0-ignored']).toBeUndefined();
  });
});

describe('describeConformance on a planted bug', () => {
  it('should fail with the readable counterexample, and the options it prints should replay that failure alone', async () => {
    const raw = await entry('averaged-db').create();
    const caps = resolveCapabilities(entry('averaged-db'), raw);
    const ctx = { backend: raw, unchecked: raw, reference: await createBackend('loops'), capabilities: caps };
    const agreement = (tests: ConformanceTest[]) =>
      tests.find((t) => t.name === 'should agree with loops on hs and every gradient it declares')!;
    const first = agreement(conformanceTests(caps, { numRuns: 100 }));
    const message = await ('run' in first ? first.run(ctx) : Promise.resolve()).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toMatch(/db\[0\]: got .*, expected .*worst error\/tolerance/);
    const options = /describeConformance\(entry, (\{ replay: .* \})\)$/m.exec(message)?.[1] ?? '';
    const replay = (Function(`return (${options})`)() as { replay: { test: string; seed: number; path: string } })
      .replay;
    const tests = conformanceTests(caps, { replay });
    expect(tests.filter((t) => 'run' in t).map((t) => t.name)).toEqual([replay.test]);
    const again = agreement(tests);
    const replayed = await ('run' in again ? again.run(ctx) : Promise.resolve()).then(
      () => '',
      (e: Error) => e.message,
    );
    const counterexample = (m: string) => m.split('\n').slice(0, 4).join('\n');
    expect(counterexample(replayed)).toBe(
      counterexample(message).replace(/shrunk \d+ time\(s\) after \d+ case\(s\)/, 'shrunk 0 time(s) after 1 case(s)'),
    );
    await ctx.reference.dispose();
  });
});

describe('separatingFeatures', () => {
  const o = (features: Outcome['features'], failed: boolean, evidence = true): Outcome => ({
    features,
    failed,
    evidence,
  });

  it('should give what every failing case has and no passing case has', () => {
    const outcomes = [
      o(['T>1', 'B>1', 'tanh'], true),
      o(['T>1', 'B=1', 'relu'], true),
      o(['T=1', 'B>1', 'tanh'], false),
    ];
    expect(separatingFeatures(outcomes)).toEqual(['T>1']);
  });

  it('should leave out a passing case that is no evidence, and a feature every case has', () => {
    const outcomes = [
      o(['T>1', 'tanh'], true),
      o(['T>1', 'tanh', 'saturated'], false, false),
      o(['T=1', 'tanh'], false),
    ];
    expect(separatingFeatures(outcomes)).toEqual(['T>1']);
  });

  it('should fall back to two features joined by or, then to none, and say undefined when nothing failed', () => {
    const either = [o(['T>1', 'no h0'], true), o(['T=1', 'h0'], true), o(['T=1', 'no h0'], false)];
    expect(separatingFeatures(either)).toEqual(['T>1 or h0']);
    expect(separatingFeatures([o(['T>1'], true), o(['T>1'], false)])).toEqual([]);
    expect(separatingFeatures([o(['T>1'], false)])).toBeUndefined();
  });

  it('should name the features of a case like its label', () => {
    expect(caseFeatures({ B: 1, T: 5, F: 4, H: 4, activation: 'relu', h0: undefined })).toEqual([
      'T>1',
      'B=1',
      'no h0',
      'relu',
      'H=F',
    ]);
    expect(failsWhenLine('dwh', ['T>1'], false)).toMatch(
      /^dwh fails only when T>1: look at the gradient carried through time/,
    );
  });
});
