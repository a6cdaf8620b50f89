/**
 * benchmark.js timing of backends, side by side in one process. Backends are interleaved in rounds
 * (round 1: every backend, round 2: every backend again, …) so that a slow phase of a shared machine
 * falls on all of them, and each backend's best round is kept.
 */
import Benchmark from 'benchmark';
import { seededRng, uniformTensor } from '../check/random.js';
import type { Dims, RnnBackend } from '../rnn.js';

export type BenchOp = 'forward' | 'train';
export const BENCH_OPS: readonly BenchOp[] = ['forward', 'train'];

export type BenchResult = {
  backend: string; shape: Dims; op: BenchOp;
  /** benchmark.js statistics of the best round: mean and deviation in ms, relative margin of error in %. */
  meanMs: number; rme: number; deviationMs: number; samples: number;
  /** Useful floating-point operations per second, in 1e9 (see flops()). */
  gflops: number;
  /** The mean of every round, in ms. */
  roundsMs: number[];
};

/**
 * Floating-point operations of one call, counting a multiply-add as 2: the forward pass is
 * 2·B·T·H·(F+H) (x·wx and h·wh); backward is twice that (da·wxᵀ, da·whᵀ, xᵀ·da, hᵀ·da); a train step is
 * forward + backward = 6·B·T·H·(F+H). Activations and bias additions are left out.
 */
export function flops(s: Dims, op: BenchOp): number {
  const f = 2 * s.B * s.T * s.H * (s.F + s.H);
  return op === 'forward' ? f : 3 * f;
}

/** Seeded inputs for a shape (weights scaled so tanh does not saturate). */
export function benchInputs(s: Dims) {
  const rng = seededRng(s.B * 1_000_003 + s.T * 1009 + s.F * 31 + s.H);
  return {
    params: { wx: uniformTensor(rng, [s.F, s.H], 1 / Math.sqrt(s.F)), wh: uniformTensor(rng, [s.H, s.H], 1 / Math.sqrt(s.H)), b: uniformTensor(rng, [s.H], 0.1) },
    x: uniformTensor(rng, [s.B, s.T, s.F]),
    dhs: uniformTensor(rng, [s.B, s.T, s.H]),
  };
}

/** Times one backend on one shape and op with benchmark.js (deferred, since calls are async). */
export function timeOnce(backend: RnnBackend, s: Dims, op: BenchOp, maxTimeS: number): Promise<Benchmark.Stats> {
  const { params, x, dhs } = benchInputs(s);
  const step = async () => {
    const hs = await backend.forward(params, x);
    if (op === 'train') await backend.backward(params, x, hs, dhs);
  };
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(`${backend.name} ${op}`, {
      defer: true,
      maxTime: maxTimeS,
      minSamples: 5,
      fn: (deferred: { resolve(): void }) => {
        step().then(() => deferred.resolve(), (e: unknown) => {
          bench.abort();
          reject(e);
        });
      },
      onComplete: () => resolve(bench.stats),
      onError: () => reject(bench.error),
    });
    bench.run({ async: true });
  });
}

export type BenchPlan = { backends: RnnBackend[]; shapes: Dims[]; ops: readonly BenchOp[]; rounds: number; maxTimeS: number };

/** Runs the plan, calling `progress` before each measurement; returns one result per backend, shape and op. */
export async function runBench(plan: BenchPlan, progress: (done: number, total: number, what: string) => void = () => {}): Promise<BenchResult[]> {
  const total = plan.shapes.length * plan.ops.length * plan.rounds * plan.backends.length;
  let done = 0;
  const results: BenchResult[] = [];
  for (const shape of plan.shapes) {
    for (const op of plan.ops) {
      const best = new Map<string, { stats: Benchmark.Stats; rounds: number[] }>();
      for (let round = 0; round < plan.rounds; round++) {
        for (const backend of plan.backends) {
          progress(done++, total, `${backend.name} ${op} B=${shape.B} T=${shape.T} F=${shape.F} H=${shape.H} (round ${round + 1}/${plan.rounds})`);
          const stats = await timeOnce(backend, shape, op, plan.maxTimeS);
          const prev = best.get(backend.name);
          const rounds = [...(prev?.rounds ?? []), stats.mean * 1000];
          best.set(backend.name, { stats: prev === undefined || stats.mean < prev.stats.mean ? stats : prev.stats, rounds });
        }
      }
      for (const backend of plan.backends) {
        const { stats, rounds } = best.get(backend.name) as { stats: Benchmark.Stats; rounds: number[] };
        results.push({
          backend: backend.name, shape, op, meanMs: stats.mean * 1000, rme: stats.rme, deviationMs: stats.deviation * 1000,
          samples: stats.sample.length, gflops: flops(shape, op) / stats.mean / 1e9, roundsMs: rounds,
        });
      }
    }
  }
  progress(total, total, 'done');
  return results;
}
