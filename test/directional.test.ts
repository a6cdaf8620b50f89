/**
 * The directional gradient oracle: it passes correct backends, catches every entry of the bug catalog on
 * its own, and judges real sizes (check --large).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, cellOf, correctScratch } from '../src/catalog/index.js';
import { largeCases } from '../src/oracle/large.js';
import { scaledCase } from '../src/check/scaled-case.js';
import { createBackend, type RnnBackend } from '../src/index.js';
import { gradientOf } from '../src/core/rnn.js';
import { caseOptions } from '../src/check/arbitraries.js';
import {
  checkDirectional,
  DIRECTIONAL_KINK_MARGIN,
  numericDirectionals,
  randomDirections,
} from '../src/oracle/directional.js';
import { runCheck } from '../src/run/check.js';

let loops: RnnBackend;
beforeAll(async () => {
  loops = await createBackend('loops');
});
afterAll(async () => {
  await loops.dispose();
});

// Small and odd sizes, with and without h0, a relu case far from its kink, and every tanh saturated.
const cases = [
  scaledCase({ B: 4, T: 6, F: 5, H: 7 }, 'tanh', 1),
  scaledCase({ B: 3, T: 9, F: 2, H: 5 }, 'tanh', 2, { h0: false }),
  scaledCase({ B: 2, T: 5, F: 3, H: 4 }, 'tanh', 3, { biasMagnitude: 1e4 }),
];
// A gated entry's: its cell with and without an initial state, a GRU's reset gate after and before.
const gatedCases = (cell: 'lstm' | 'gru') => [
  scaledCase({ B: 4, T: 6, F: 5, H: 7 }, 'tanh', 1, { cell }),
  scaledCase({ B: 3, T: 9, F: 2, H: 5 }, 'tanh', 2, { cell, h0: false, resetAfter: false }),
];

describe('the directional oracle', () => {
  it('should pass loops, a correct scratch RNN and the catalog scaffolding on every case', async () => {
    for (const b of [loops, correctScratch()]) {
      for (const c of cases) {
        const r = await checkDirectional(b, loops, c, { seed: 5 });
        expect(r.ok, `${b.name}: ${JSON.stringify(r)}`).toBe(true);
      }
    }
  });

  it.each(CATALOG.map((e) => [e.name, e] as const))('should catch %s on its own', async (_, entry) => {
    const b = entry.create();
    const cell = cellOf(entry);
    const verdicts = [];
    for (const c of cell === 'rnn' ? cases : gatedCases(cell))
      verdicts.push((await checkDirectional(b, loops, c, { seed: 5 })).ok);
    expect(verdicts).toContain(false);
  });

  it("should use six forward passes per input, whatever the input's size, and find the derivative to its truncation estimate", async () => {
    const c = scaledCase({ B: 6, T: 12, F: 9, H: 10 }, 'tanh', 4);
    let calls = 0;
    const counting: RnnBackend = {
      ...loops,
      name: 'counting',
      precision: 'float64',
      forward: (...a) => (calls++, loops.forward(...a)),
      backward: (...a) => loops.backward(...a),
      dispose: async () => {},
    };
    const u = randomDirections(c, 9);
    const numeric = await numericDirectionals(counting, c, u);
    expect(calls).toBe(30);
    const g = await loops.backward(
      c.params,
      c.x,
      await loops.forward(c.params, c.x, { activation: 'tanh', h0: c.h0 }),
      c.dhs,
      { activation: 'tanh', h0: c.h0 },
    );
    for (const k of ['wx', 'wh', 'b', 'x', 'h0'] as const) {
      const analytic = Array.from(gradientOf(g, k, 'loops').data).reduce(
        (s, v, i) => s + v * (u[k]!.data[i] as number),
        0,
      );
      const n = numeric[k]!;
      expect(Math.abs(analytic - n.value)).toBeLessThanOrEqual(n.noise + 2 * n.truncation);
      expect(n.truncation).toBeLessThan(1e-6 * Math.abs(n.value));
    }
  });

  it.each([
    ['lstm', { cell: 'lstm' }, ['wx', 'wh', 'b', 'x', 'h0', 'c0']],
    ['lstm without h0 and c0', { cell: 'lstm', h0: false }, ['wx', 'wh', 'b', 'x', 'h0', 'c0']],
    ['gru, reset after', { cell: 'gru' }, ['wx', 'wh', 'b', 'bh', 'x', 'h0']],
    ['gru, reset before', { cell: 'gru', resetAfter: false }, ['wx', 'wh', 'b', 'bh', 'x', 'h0']],
  ] as const)('should difference every input of the %s, and agree with loops', async (_, o, keys) => {
    const c = scaledCase({ B: 3, T: 7, F: 4, H: 5 }, 'tanh', 11, o);
    const u = randomDirections(c, 3);
    expect(Object.keys(u).sort()).toEqual([...keys].sort());
    const numeric = await numericDirectionals(loops, c, u);
    const opts = caseOptions(c);
    const g = await loops.backward(c.params, c.x, await loops.forward(c.params, c.x, opts), c.dhs, opts);
    for (const k of keys) {
      const analytic = Array.from(gradientOf(g, k, 'loops').data).reduce(
        (s, v, i) => s + v * (u[k]!.data[i] as number),
        0,
      );
      const n = numeric[k]!;
      expect(Math.abs(analytic - n.value), k).toBeLessThanOrEqual(n.noise + 2 * n.truncation + 1e-12);
      expect(Math.abs(n.value), k).toBeGreaterThan(1e-3);
    }
    expect((await checkDirectional(loops, loops, c, { seed: 3 })).ok).toBe(true);
  });

  it("should leave a relu case's gradients out when a pre-activation is near the kink, and say so", async () => {
    const c = scaledCase({ B: 8, T: 20, F: 6, H: 9 }, 'relu', 6);
    const r = await checkDirectional(loops, loops, c);
    expect(r.gradients).toEqual([]);
    expect(r.skipped).toMatch(new RegExp(`from the kink \\(< ${DIRECTIONAL_KINK_MARGIN}\\)`));
  });
});

describe('check --large', () => {
  it("should add the bench's shapes, with agreement and the directional oracle, in a few seconds", async () => {
    const report = await runCheck({ backends: ['loops', 'workers'], large: true });
    expect(report.ok).toBe(true);
    expect(report.cases).toEqual(expect.arrayContaining(largeCases().map((c) => c.name)));
    const rows = report.rows.filter((r) => r.backend === 'workers');
    expect(rows.map((r) => r.quantity)).toEqual(
      expect.arrayContaining([
        'directional hs',
        'directional dwx',
        'directional dwh',
        'directional db',
        'directional dx',
        'directional dh0',
      ]),
    );
    expect(report.rows.filter((r) => r.backend === 'loops' && r.quantity.startsWith('directional'))).toHaveLength(6);
  }, 120_000);

  it.each(['lstm', 'gru'] as const)(
    "should check the %s at the bench's shapes too, every gradient against the directional oracle",
    async (cell) => {
      const report = await runCheck({ backends: ['loops', 'wasm'], large: true, cell, jobs: 1 });
      expect(report.rows.filter((r) => !r.ok)).toEqual([]);
      expect(report.cases).toEqual(expect.arrayContaining(largeCases(undefined, cell).map((c) => c.name)));
      // A GRU's large cases have the reset gate after the product and before it.
      if (cell === 'gru') expect(report.cases.join()).toMatch(/reset after[\s\S]*reset before/);
      const keys =
        cell === 'lstm'
          ? ['hs', 'dwx', 'dwh', 'db', 'dx', 'dh0', 'dc0']
          : ['hs', 'dwx', 'dwh', 'db', 'dbh', 'dx', 'dh0'];
      const directional = (backend: string) =>
        report.rows
          .filter((r) => r.backend === backend && r.quantity.startsWith(`${cell} directional`))
          .map((r) => r.quantity);
      expect(directional('wasm').sort()).toEqual(keys.map((k) => `${cell} directional ${k}`).sort());
      expect(directional('loops')).toHaveLength(keys.length);
    },
    600_000,
  );

  it("should fail an LSTM's lost bias gradient at a bench shape", async () => {
    const b = CATALOG.find((e) => e.name === 'lstm-bias-grad-lost')?.create() as RnnBackend;
    const c = largeCases(undefined, 'lstm')[0]?.c as ReturnType<typeof scaledCase>;
    const r = await checkDirectional(b, loops, c, { keys: ['b', 'wx'] });
    expect(r.gradients.map((g) => [g.key, g.ok])).toEqual([
      ['b', false],
      ['wx', true],
    ]);
  }, 120_000);

  it('should fail a wrong bias gradient at a bench shape', async () => {
    const b = CATALOG.find((e) => e.name === 'bias-grad-averaged')?.create() as RnnBackend;
    const c = largeCases()[0]?.c as ReturnType<typeof scaledCase>;
    const r = await checkDirectional(b, loops, c, { keys: ['b'] });
    expect(r.gradients[0]?.ok).toBe(false);
  }, 60_000);
});
