/**
 * What is particular to the wasm backends, beyond the conformance suite they join: shapes around the
 * blocks of the SIMD kernels (H, F and B that are not multiples of a vector or a panel, chunks one row
 * apart), tanh saturation at |a| >= 1e4, calls in flight at once, and a memory that does not grow with
 * the number of calls.
 */
import { it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { WasmBackend } from '../src/backends/wasm.js';
import { caseOptions, rnnCase } from '../src/check/arbitraries.js';
import { checkAgreement } from '../src/check/properties.js';
import { scaledCase } from '../src/check/scaled-case.js';
import { seededRng, uniformTensor } from '../src/core/random.js';
import { createBackend, RnnInputError, tensor, type RnnBackend } from '../src/index.js';

let reference: RnnBackend;
beforeAll(async () => {
  reference = await createBackend('loops');
});

describe.each(['float64', 'float32'] as const)('wasm kernels in %s', (precision) => {
  const one = new WasmBackend(precision, { threads: 1 });
  const two = new WasmBackend(precision, { threads: 2, minParallelWork: 0 });
  afterAll(async () => {
    await one.dispose();
    await two.dispose();
  });

  // Panels are 2 vectors: 4 numbers in f64, 8 in f32; blocks are 4 rows. Sizes up to 19 cross both.
  const aroundBlocks = rnnCase({ ranges: { B: [1, 13], T: [1, 5], F: [1, 19], H: [1, 19] } });

  it.prop([aroundBlocks], { numRuns: 120, seed: 41 })(
    'should agree with loops in one thread at sizes around its blocks',
    (c) => checkAgreement(one, reference, c),
  );

  it.prop([aroundBlocks], { numRuns: 120, seed: 42 })(
    'should agree with loops with the batch split across two threads, chunks a row apart',
    (c) => checkAgreement(two, reference, c),
  );

  // The gated kernels: 4H or 3H columns, the GRU's n block packed on its own, the reset before or after.
  for (const cell of ['lstm', 'gru'] as const) {
    const gated = rnnCase({ cell, ranges: { B: [1, 9], T: [1, 4], F: [1, 13], H: [1, 13] } });
    it.prop([gated], { numRuns: 80, seed: cell === 'lstm' ? 45 : 46 })(
      `should agree with loops on the ${cell} at sizes around its blocks, in one thread`,
      (c) => checkAgreement(one, reference, c),
    );
    it.prop([gated], { numRuns: 80, seed: cell === 'lstm' ? 47 : 48 })(
      `should agree with loops on the ${cell} with the batch split across two threads`,
      (c) => checkAgreement(two, reference, c),
    );
  }

  // gemm takes rows in blocks of 64: a product of 64 + 4 + 3 rows crosses a block, a 4-row group and the rest
  // (x·wx and dx over B·T rows, xᵀ·da's sum over them, and h·wh per step over B rows).
  it.each([
    ['rnn', 71, 1],
    ['rnn', 1, 71],
    ['lstm', 71, 2],
    ['gru', 3, 24],
  ] as const)('should agree with loops on the %s across a block of 64 rows (B=%i, T=%i)', async (cell, B, T) => {
    const c = scaledCase({ B, T, F: 5, H: 6 }, 'tanh', 49, { cell });
    await checkAgreement(one, reference, c);
  });

  it.prop(
    [
      rnnCase({
        activation: 'tanh',
        biasMagnitude: [1e4, 1e5],
        ranges: { B: [1, 9], T: [1, 4], F: [1, 11], H: [1, 11] },
      }),
    ],
    { numRuns: 60, seed: 43 },
  )('should saturate tanh to exactly ±1 at |a| >= 1e4, with finite gradients', async (c) => {
    const hs = await one.forward(c.params, c.x, caseOptions(c));
    expect(hs.data.every((v) => v === 1 || v === -1)).toBe(true);
    const g = await one.backward(c.params, c.x, hs, c.dhs, caseOptions(c));
    for (const t of [g.wx, g.wh, g.b, g.x, g.h0]) expect(t.data.every(Number.isFinite)).toBe(true);
    await checkAgreement(one, reference, c);
  });

  it('should keep its memory at what the largest call needs, across 1,000 calls of changing shapes', async () => {
    const rng = seededRng(44);
    const call = async (B: number, T: number, F: number, H: number) => {
      const p = { wx: uniformTensor(rng, [F, H]), wh: uniformTensor(rng, [H, H]), b: uniformTensor(rng, [H]) };
      const x = uniformTensor(rng, [B, T, F]);
      const hs = await two.forward(p, x);
      await two.backward(p, x, hs, uniformTensor(rng, [B, T, H]));
    };
    await call(12, 9, 21, 33); // the largest shape below
    const after = two.memoryBytes;
    for (let i = 0; i < 1000; i++) await call(1 + (i % 12), 1 + (i % 9), 1 + ((i * 7) % 21), 1 + ((i * 5) % 33));
    expect(two.memoryBytes).toBe(after);
  });

  it('should run calls in flight at the same time one after the other, each with its own result', async () => {
    const rng = seededRng(45);
    const cases = Array.from({ length: 6 }, (_, i) => {
      const [B, T, F, H] = [3 + i, 4, 5, 6 + i];
      return {
        p: { wx: uniformTensor(rng, [F, H]), wh: uniformTensor(rng, [H, H]), b: uniformTensor(rng, [H]) },
        x: uniformTensor(rng, [B, T, F]),
      };
    });
    const together = await Promise.all(cases.map((c) => two.forward(c.p, c.x)));
    for (const [i, c] of cases.entries())
      expect([...(together[i]?.data ?? [])]).toEqual([...(await two.forward(c.p, c.x)).data]);
  });
});

describe('createBackend("wasm")', () => {
  it('should refuse options it cannot use, naming them', async () => {
    await expect(createBackend('wasm', { threads: 0 })).rejects.toThrow(
      "createBackend('wasm'): options.threads must be an integer >= 1; got 0",
    );
    await expect(createBackend('wasm-f32', { minParallelWork: -1 })).rejects.toBeInstanceOf(RnnInputError);
  });

  it('should run a call in the calling thread with threads: 1, and split a large one otherwise', async () => {
    const b = (await createBackend('wasm', { threads: 2 })) as WasmBackend;
    const rng = seededRng(46);
    const p = { wx: uniformTensor(rng, [16, 64]), wh: uniformTensor(rng, [64, 64]), b: tensor([64]) };
    const x = uniformTensor(rng, [16, 40, 16]);
    await b.forward(p, x);
    expect(b.completedTasks).toBeGreaterThan(0);
    await b.dispose();
    const single = (await createBackend('wasm', { threads: 1 })) as WasmBackend;
    await single.forward(p, x);
    expect(single.completedTasks).toBe(0);
    await single.dispose();
  });
});
