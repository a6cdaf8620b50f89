import { describe, expect, it } from 'vitest';
import { dealByCost, estimatedCost } from '../src/run/deal.js';

describe('dealByCost', () => {
  it('should give the costliest item first to the shard with the least work, ties to the lower shard', () => {
    expect(dealByCost([5, 1, 4, 2, 3], 2)).toEqual([[0, 1, 3], [2, 4]]);
    expect(dealByCost([1, 1, 1, 1], 4)).toEqual([[0], [1], [2], [3]]);
    expect(dealByCost([2, 2], 3)).toEqual([[0], [1], []]);
  });

  it('should give each of two shards a mix of agreement and saturation properties, not one kind each', () => {
    const plan = ['oracle loops', ...['wasm', 'tfjs-cpu', 'pytorch', 'gpujs-cpu'].flatMap((b) => [`agreement ${b}`, `saturation ${b}`])];
    const costs = plan.map((p) => estimatedCost(p.split(' ')[0] as string, p.split(' ')[1] as string));
    const kinds = dealByCost(costs, 2).map((items) => new Set(items.map((i) => (plan[i] as string).split(' ')[0])));
    for (const k of kinds) expect(k.has('agreement') && k.has('saturation')).toBe(true);
  });
});
