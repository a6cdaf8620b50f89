/**
 * The reference checked against an independent implementation: `loops` (register-blocked products over
 * flat arrays) against the catalog's scratch RNN without a bug (one loop per step, sample and unit), on
 * shapes that reach every edge of the 4×2 blocking; and the product routine against a plain triple loop.
 */
import fc from 'fast-check';
import { it } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { correctScratch } from '../src/catalog/index.js';
import { caseOptions, rnnCase } from '../src/check/arbitraries.js';
import { loopsEntry, rnnArrays } from '../src/backends/loops.js';
import { rnnPreActivations } from '../src/kernels/simple-rnn.js';
import { checkForward } from '../src/core/rnn.js';
import { checkAgreement } from '../src/check/properties.js';
import { gemmABt, transpose } from '../src/kernels/gemm.js';
import { createBackend, tensor } from '../src/index.js';

const loops = await createBackend('loops');
const scratch = correctScratch();
afterAll(() => loops.dispose());

describe('the loops entry', () => {
  it('should name itself and its precision, and name loops.forward / loops.backward in errors', async () => {
    expect([loops.name, loops.precision, loopsEntry.name, loopsEntry.precision]).toEqual([
      'loops',
      'float64',
      'loops',
      'float64',
    ]);
    expect(loopsEntry.description).toMatch(/float64 reference/);
    const p = { wx: tensor([1, 1], [1]), wh: tensor([1, 1], [0]), b: tensor([1], [0]) };
    await expect(loops.forward(p, tensor([1, 1, 2]))).rejects.toThrow(/^loops\.forward: /);
    await expect(loops.backward(p, tensor([1, 1, 1]), tensor([1, 1, 1]), tensor([1, 2, 1]))).rejects.toThrow(
      /^loops\.backward: /,
    );
  });
});

describe('rnnPreActivations', () => {
  it.prop([rnnCase({ ranges: { B: [1, 4], T: [1, 5], F: [1, 4], H: [1, 4] } })], { numRuns: 50, seed: 14 })(
    'should give the a_t whose activation is h_t',
    async (c) => {
      const call = checkForward('test', c.params, c.x, caseOptions(c));
      const hs = Float64Array.from((await loops.forward(c.params, c.x, caseOptions(c))).data);
      const pre = new Float64Array(hs.length);
      rnnPreActivations(call, rnnArrays(c.params, c.x, call), hs, pre);
      pre.forEach((a, i) => expect(c.activation === 'tanh' ? Math.tanh(a) : Math.max(0, a)).toBeCloseTo(hs[i]!, 12));
    },
  );
});

describe('loops against an independent scratch implementation', () => {
  it.prop([rnnCase({ ranges: { B: [1, 9], T: [1, 6], F: [1, 9], H: [1, 9] } })], { numRuns: 150, seed: 11 })(
    'should agree on hs and every gradient to float64 tolerance',
    (c) => checkAgreement(loops, scratch, c),
  );
  it.prop([rnnCase({ activation: 'tanh', biasMagnitude: [100, 1e4] })], { numRuns: 30, seed: 12 })(
    'should agree where tanh saturates',
    (c) => checkAgreement(loops, scratch, c),
  );
});

const dims = fc.record({
  m: fc.integer({ min: 1, max: 11 }),
  n: fc.integer({ min: 1, max: 11 }),
  k: fc.integer({ min: 1, max: 9 }),
  pad: fc.integer({ min: 0, max: 3 }),
});

describe('gemmABt', () => {
  it.prop([dims, fc.boolean()], { numRuns: 200, seed: 13 })(
    'should equal a plain triple loop, with offsets, strides and accumulation',
    ({ m, n, k, pad }, accumulate) => {
      const lda = k + pad,
        ldb = k + pad + 1,
        ldc = n + pad;
      const fill = (len: number, s: number) => Float64Array.from({ length: len }, (_, i) => Math.sin(i * 1.7 + s));
      const A = fill(pad + m * lda, 1),
        Bt = fill(pad + n * ldb, 2),
        C = fill(pad + m * ldc, 3);
      const expected = Float64Array.from(C);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A[pad + i * lda + p]! * Bt[pad + j * ldb + p]!;
          expected[pad + i * ldc + j] = (accumulate ? expected[pad + i * ldc + j]! : 0) + s;
        }
      }
      gemmABt(m, n, k, A, pad, lda, Bt, pad, ldb, C, pad, ldc, accumulate);
      for (let i = 0; i < C.length; i++) expect(C[i]).toBeCloseTo(expected[i]!, 12);
    },
  );

  it('should leave the rows of C after the block untouched', () => {
    for (const m of [1, 3, 4, 5, 8]) {
      const [n, k] = [3, 2];
      const A = new Float64Array(m * k).fill(1),
        Bt = new Float64Array(n * k).fill(1);
      const C = new Float64Array((m + 5) * n).fill(7);
      gemmABt(m, n, k, A, 0, k, Bt, 0, k, C, 0, n, false);
      expect([...C.slice(0, m * n)].every((v) => v === 2)).toBe(true);
      expect([...C.slice(m * n)].every((v) => v === 7)).toBe(true);
    }
  });

  it('should transpose a block of a strided matrix', () => {
    const a = Float64Array.from([9, 1, 2, 3, 4, 5, 6]);
    expect([...transpose(a, 1, 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
