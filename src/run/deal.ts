/**
 * Dealing a campaign's items (fuzz properties, check backends, catalog entries) to shards or jobs by cost,
 * not by count: the costliest first, each to the shard with the least work so far (longest processing
 * time first), ties to the lower shard. The same items and costs give the same deal everywhere, so shards
 * started by hand on several machines agree on who runs what.
 */

/** Indices of `costs` per shard: shard i gets deal(costs, n)[i]. Each list is in the items' own order. */
export function dealByCost(costs: readonly number[], count: number): number[][] {
  const shards = Array.from({ length: count }, () => ({ load: 0, items: [] as number[] }));
  const order = costs.map((c, i) => ({ c, i })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { c, i } of order) {
    let least = shards[0] as (typeof shards)[number];
    for (const s of shards) if (s.load < least.load) least = s;
    least.load += c;
    least.items.push(i);
  }
  return shards.map((s) => s.items.sort((a, b) => a - b));
}

/**
 * What one case of a property costs on a backend, in ms, before any run was timed: the finite-difference
 * oracle runs ~40 forward passes a case; gpu.js compiles and draws, tfjs builds layers, an exec backend
 * crosses a pipe. Measured here with `fuzz --runs 300` (ms per case, agreement): loops' oracle 7,
 * gpujs-webasm 29, gpujs-headlessgl 16, tfjs 9–10, pytorch 5.5, workers 2, wasm 1.5–2.5, gpujs-cpu 2.
 */
export function estimatedCost(property: string, backend: string): number {
  const perCase: [RegExp, number][] = [
    [/^gpujs-headlessgl/, 16],
    [/^gpujs-webasm/, 29],
    [/^gpujs/, 2],
    [/^tfjs/, 10],
    [/^pytorch/, 5.5],
    [/^workers/, 2],
    [/^wasm/, 2],
  ];
  const backendCost = perCase.find(([re]) => re.test(backend))?.[1] ?? 1;
  return property === 'oracle' ? 7 : property === 'saturation' ? 0.8 * backendCost : backendCost;
}
