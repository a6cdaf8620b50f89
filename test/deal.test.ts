import { describe, expect, it } from 'vitest';
import { dealByCost, estimatedCost } from '../src/run/deal.js';
import { campaignPlan, dealPlan } from '../src/run/fuzz-plan.js';

describe('dealByCost', () => {
  it('should give the costliest item first to the shard with the least work, ties to the lower shard', () => {
    expect(dealByCost([5, 1, 4, 2, 3], 2)).toEqual([
      [0, 1, 3],
      [2, 4],
    ]);
    expect(dealByCost([1, 1, 1, 1], 4)).toEqual([[0], [1], [2], [3]]);
    expect(dealByCost([2, 2], 3)).toEqual([[0], [1], []]);
  });

  it("should give each of two shards a mix of agreement and saturation properties, keeping a backend's together", () => {
    const plan = campaignPlan(['wasm', 'tfjs-cpu', 'pytorch', 'gpujs-cpu'], () => true);
    const dealt = dealPlan(plan, 2);
    for (const items of dealt) {
      const kinds = new Set(items.map((i) => plan[i]?.name));
      expect(kinds.has('agreement') && kinds.has('saturation')).toBe(true);
    }
    const shardOf = (name: string, backend: string) =>
      dealt.findIndex((items) => items.some((i) => plan[i]?.name === name && plan[i]?.backend === backend));
    for (const b of ['wasm', 'tfjs-cpu', 'pytorch', 'gpujs-cpu'])
      expect(shardOf('agreement', b)).toBe(shardOf('saturation', b));
    expect(estimatedCost('agreement', 'gpujs-webasm')).toBeGreaterThan(estimatedCost('agreement', 'wasm'));
  });
});
