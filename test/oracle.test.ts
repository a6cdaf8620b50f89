import { describe, expect, it } from 'vitest';
import { numericGradients, ORACLE_BAR, oracleError, rnnLoss } from '../src/oracle/finite-difference.js';
import { seededRng, uniformTensor } from '../src/core/random.js';
import { createBackend, tensor } from '../src/index.js';
import { compareTensors } from '../src/check/compare.js';

describe('rnnLoss', () => {
  it('should be Σ dhs ⊙ hs', () => {
    expect(rnnLoss(tensor([1, 1, 3], [1, 2, 3]), tensor([1, 1, 3], [4, -5, 0.5]))).toBe(4 - 10 + 1.5);
  });
});

describe('oracleError', () => {
  it('should be the largest |a - n| / max(|a|, |n|, floor · max(1, max|n|))', () => {
    expect(oracleError(tensor([2], [1, 2]), tensor([2], [1, 2.1]))).toBeCloseTo(0.1 / 2.1, 15);
    // The floor: 1e-3 · 100 = 0.1, so an error of 1e-3 on a near-zero entry counts 1e-2.
    expect(oracleError(tensor([2], [1e-3, 100]), tensor([2], [0, 100]))).toBeCloseTo(1e-2, 15);
    expect(oracleError(tensor([2], [1e-3, 100]), tensor([2], [0, 100]), 1e-2)).toBeCloseTo(1e-3, 15);
    // Below a scale of 1 the floor is the floor itself.
    expect(oracleError(tensor([1], [1e-4]), tensor([1], [0]))).toBeCloseTo(0.1, 15);
    expect(oracleError(tensor([2], [3, 4]), tensor([2], [3, 4]))).toBe(0);
  });

  it('should count NaN as the worst possible error', () => {
    expect(oracleError(tensor([2], [NaN, 1]), tensor([2], [1, 1]))).toBe(Infinity);
    expect(oracleError(tensor([2], [1, 1]), tensor([2], [1, NaN]))).toBe(Infinity);
  });
});

describe('numericGradients', () => {
  it('should match the analytic gradients of loops on a tanh case with h0, to the oracle bar', async () => {
    const loops = await createBackend('loops');
    const rng = seededRng(31);
    const [B, T, F, H] = [2, 3, 2, 3];
    const p = { wx: uniformTensor(rng, [F, H]), wh: uniformTensor(rng, [H, H]), b: uniformTensor(rng, [H]) };
    const x = uniformTensor(rng, [B, T, F]),
      h0 = uniformTensor(rng, [B, H]),
      dhs = uniformTensor(rng, [B, T, H]);
    const o = { activation: 'tanh' as const, h0 };
    const g = await loops.backward(p, x, await loops.forward(p, x, o), dhs, o);
    const n = await numericGradients(loops, p, x, dhs, o);
    for (const key of ['wx', 'wh', 'b', 'x', 'h0'] as const) {
      expect(n[key].shape).toEqual(g[key].shape);
      expect(oracleError(g[key], n[key]), key).toBeLessThan(ORACLE_BAR);
    }
    // A coarser step is worse but still close: the stencil, not luck, gives the bar.
    const coarse = await numericGradients(loops, p, x, dhs, o, { relStep: 0.2 });
    expect(oracleError(g.wh, coarse.wh)).toBeGreaterThan(ORACLE_BAR);
    expect(oracleError(g.wh, coarse.wh)).toBeLessThan(1e-1);
    await loops.dispose();
  });

  it('should scale its step with the value, so large values keep their precision', async () => {
    // L = Σ dhs ⊙ relu(x·wx + b) with b near 1e4: dL/db = Σ dhs exactly. A step not scaled up with |b|
    // (1e-5 / 1e4) would leave roundoff of about 1e-16 · 1e4 / 1e-9 = 1e-3.
    const loops = await createBackend('loops');
    const p = { wx: tensor([1, 1], [2]), wh: tensor([1, 1], [0]), b: tensor([1], [12345.678]) };
    const g = await numericGradients(loops, p, tensor([1, 2, 1], [0.5, -0.25]), tensor([1, 2, 1], [0.75, 1.5]), {
      activation: 'relu',
    });
    expect(Math.abs((g.b.data[0] as number) - 2.25)).toBeLessThan(1e-6);
    await expect(numericGradients(loops, p, tensor([1, 2, 1]), tensor([1, 3, 1]))).rejects.toThrow(
      /^numericGradients: /,
    );
    await loops.dispose();
  });

  it('should be exact where the loss is linear, and leave its inputs untouched', async () => {
    // relu with every pre-activation positive and wh = 0: L = Σ dhs ⊙ (x·wx + b) is linear, so
    // dL/dwx[f][j] = Σ_{b,t} x[b,t,f]·dhs[b,t,j], dL/db[j] = Σ dhs[.,.,j], dL/dx = dhs·wxᵀ.
    const loops = await createBackend('loops');
    const p = { wx: tensor([2, 2], [1, 2, 3, 4]), wh: tensor([2, 2], [0, 0, 0, 0]), b: tensor([2], [10, 20]) };
    const x = tensor([1, 2, 2], [1, 2, 3, 0.5]);
    const dhs = tensor([1, 2, 2], [1, -1, 2, 0.5]);
    const before = JSON.stringify(
      [p, x, dhs].map((t) => ('data' in t ? [...t.data] : Object.values(t).map((v) => [...v.data]))),
    );
    const g = await numericGradients(loops, p, x, dhs, { activation: 'relu' });
    const exact = {
      wx: [1 * 1 + 3 * 2, 1 * -1 + 3 * 0.5, 2 * 1 + 0.5 * 2, 2 * -1 + 0.5 * 0.5],
      b: [3, -0.5],
      x: [1 * 1 + -1 * 2, 1 * 3 + -1 * 4, 2 * 1 + 0.5 * 2, 2 * 3 + 0.5 * 4],
    };
    // Only roundoff is left: about u · |L| / step = 1e-16 · 100 / 1e-5 = 1e-9.
    for (const key of ['wx', 'b', 'x'] as const) {
      const c = compareTensors(g[key], tensor(g[key].shape, exact[key]), { atol: 1e-8, rtol: 0 });
      expect(c.ok, `${key}: ${[...g[key].data]}`).toBe(true);
    }
    // h0 is absent: its gradient is taken at zeros, with the shape [B, H].
    expect(g.h0.shape).toEqual([1, 2]);
    expect(
      JSON.stringify([p, x, dhs].map((t) => ('data' in t ? [...t.data] : Object.values(t).map((v) => [...v.data])))),
    ).toBe(before);
    await loops.dispose();
  });
});
