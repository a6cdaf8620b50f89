/**
 * The conformance suite, written once and run over every registered backend (like tfjs's
 * describeWithFlags): a backend joins by registering. Each backend is compared with `loops` under the
 * tolerance of its precision (src/check/tolerance.ts).
 */
import { it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { caseOptions, rnnCase, type RnnCase } from '../src/check/arbitraries.js';
import { assertAgrees, checkAgreement, GRADIENT_KEYS } from '../src/check/properties.js';
import { backendEntries, createBackendForCheck } from '../src/registry.js';
import { createBackend, PROBLEM2, tensor, toleranceFor, type RnnBackend } from '../src/index.js';
import { combine, concatBatch, problem2, sliceBatch } from './helpers.js';

const reference = await createBackend('loops');
const rows = await Promise.all(backendEntries().map(async (e) => ({ entry: e, availability: await e.availability() })));
/** Backends that must run here (CI sets RNN_HARNESS_REQUIRE=gpujs-headlessgl): unavailable is a failure. */
const required = new Set((process.env.RNN_HARNESS_REQUIRE ?? '').split(',').map((s) => s.trim()).filter(Boolean));
afterAll(() => reference.dispose());

describe.each(rows)('backend $entry.name', ({ entry, availability }) => {
  if (!availability.available) {
    it(`should explain why it cannot run here: ${availability.reason}`, () => {
      expect(availability.reason.length).toBeGreaterThan(10);
      expect(required.has(entry.name), `${entry.name} is required (RNN_HARNESS_REQUIRE) but cannot run: ${availability.reason}`).toBe(false);
    });
    return;
  }
  // One instance per backend, created with its checkOptions so that small shapes take its real path.
  let backend: RnnBackend;
  beforeAll(async () => {
    backend = await createBackendForCheck(entry.name);
  });
  afterAll(() => backend.dispose());

  it('should reproduce the notebook\'s Problem 2 to 1e-8', async () => {
    const b = backend;
    const { params, x } = problem2();
    const hs = await b.forward(params, x);
    const last = [...hs.data.slice(-4)];
    const tol = Math.max(1e-8, toleranceFor(b.precision, { T: 3, F: 2, H: 4 }).atol);
    last.forEach((v, i) => expect(Math.abs(v - (PROBLEM2.expectedLastH[i] as number))).toBeLessThanOrEqual(tol));
  });

  it.prop([rnnCase()], { numRuns: 200, seed: 1 })('should agree with loops on hs and every gradient', (c) => checkAgreement(backend, reference, c));

  // |a| > 88 everywhere: gpu.js's own shader tanh would return NaN here (it overflows above about 44).
  it.prop([rnnCase({ activation: 'tanh', biasMagnitude: [100, 1e4] })], { numRuns: 50, seed: 6 })(
    'should agree with loops where every tanh pre-activation saturates (|a| > 50)',
    async (c) => {
      const hs = await backend.forward(c.params, c.x, caseOptions(c));
      expect(hs.data.every(Number.isFinite)).toBe(true);
      await checkAgreement(backend, reference, c);
    },
  );

  it.prop([rnnCase({ ranges: { B: [2, 6], T: [1, 10], F: [1, 6], H: [1, 6] } })], { numRuns: 100, seed: 2 })(
    'should give the same results when the batch is split in two',
    async (c) => {
      const b = backend;
      const k = Math.floor(c.B / 2);
      const o = caseOptions(c);
      const part = (from: number, to: number): RnnCase => ({
        ...c, B: to - from, x: sliceBatch(c.x, from, to), dhs: sliceBatch(c.dhs, from, to),
        h0: c.h0 && sliceBatch(c.h0, from, to),
      });
      const [p1, p2] = [part(0, k), part(k, c.B)];
      const hs = await b.forward(c.params, c.x, o);
      const hs1 = await b.forward(p1.params, p1.x, caseOptions(p1));
      const hs2 = await b.forward(p2.params, p2.x, caseOptions(p2));
      assertAgrees(b, c, 'hs of the two halves', concatBatch(hs1, hs2), hs);
      const g = await b.backward(c.params, c.x, hs, c.dhs, o);
      const g1 = await b.backward(p1.params, p1.x, hs1, p1.dhs, caseOptions(p1));
      const g2 = await b.backward(p2.params, p2.x, hs2, p2.dhs, caseOptions(p2));
      for (const key of ['wx', 'wh', 'b'] as const) assertAgrees(b, c, `d${key} summed over halves`, combine(1, g1[key], 1, g2[key]), g[key]);
      for (const key of ['x', 'h0'] as const) assertAgrees(b, c, `d${key} of the halves`, concatBatch(g1[key], g2[key]), g[key]);
    },
  );

  it.prop([rnnCase(), rnnCase()], { numRuns: 100, seed: 3 })('should give gradients linear in dhs', async (c, other) => {
    const b = backend;
    const o = caseOptions(c);
    const hs = await b.forward(c.params, c.x, o);
    // A second upstream gradient of the same shape, drawn from the other case's values.
    const dhs2 = tensor(c.dhs.shape, c.dhs.data.map((_, i) => other.dhs.data[i % other.dhs.data.length] as number));
    const [alpha, beta] = [0.75, -1.5];
    const g1 = await b.backward(c.params, c.x, hs, c.dhs, o);
    const g2 = await b.backward(c.params, c.x, hs, dhs2, o);
    const g = await b.backward(c.params, c.x, hs, combine(alpha, c.dhs, beta, dhs2), o);
    for (const key of GRADIENT_KEYS) assertAgrees(b, c, `d${key} of a combination`, combine(alpha, g1[key], beta, g2[key]), g[key]);
  });

  it.prop([rnnCase({ ranges: { B: [1, 6], T: [1, 1], F: [1, 6], H: [1, 6] } })], { numRuns: 100, seed: 4 })(
    'should be a dense layer f(x·wx + h0·wh + b) when T = 1',
    async (c) => {
      const b = backend;
      const { B, F, H } = c;
      const at = (t: { data: ArrayLike<number> } | undefined, i: number) => (t ? (t.data[i] as number) : 0);
      const dense = new Float64Array(B * H);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) {
          let a = at(c.params.b, j);
          for (let f = 0; f < F; f++) a += at(c.x, i * F + f) * at(c.params.wx, f * H + j);
          for (let k = 0; k < H; k++) a += at(c.h0, i * H + k) * at(c.params.wh, k * H + j);
          dense[i * H + j] = c.activation === 'tanh' ? Math.tanh(a) : Math.max(0, a);
        }
      }
      const hs = await b.forward(c.params, c.x, caseOptions(c));
      assertAgrees(b, c, 'hs against a dense layer', hs, { shape: [B, 1, H], data: dense });
    },
  );

  it.prop([rnnCase()], { numRuns: 100, seed: 5 })('should give h = f(b) at every step when the weights are zero', async (c) => {
    const b = backend;
    const { B, T, F, H } = c;
    const params = { wx: tensor([F, H]), wh: tensor([H, H]), b: c.params.b };
    const hs = await b.forward(params, c.x, { activation: c.activation });
    const f = (v: number) => (c.activation === 'tanh' ? Math.tanh(v) : Math.max(0, v));
    const expected = tensor([B, T, H], Array.from({ length: B * T * H }, (_, i) => f(c.params.b.data[i % H] as number)));
    assertAgrees(b, c, 'hs with zero weights', hs, expected);
  });
});
