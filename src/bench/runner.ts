/**
 * benchmark.js timing of backends, side by side in one process. Backends are interleaved in rounds
 * (round 1: every backend, round 2: every backend again, …) so that a slow phase of a shared machine
 * falls on all of them, and each backend's best round is kept.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Benchmark from 'benchmark';
import { seededRng, uniformTensor } from '../core/random.js';
import { childDetails, type ChildDetails } from '../core/errors.js';
import type { MatmulProbe } from '../registry/types.js';
import type { Activation, Dims, RnnBackend } from '../core/rnn.js';
import { GATES, type Cell } from '../core/kinds.js';

/** What a benchmark times: one forward pass, or a train step (forward, then backward). */
export type BenchOp = 'forward' | 'train';
export const BENCH_OPS: readonly BenchOp[] = ['forward', 'train'];

/** One backend's timing of one shape and op: benchmark.js statistics of its best round, GFLOP/s, and its samples. */
export type BenchResult = {
  backend: string;
  shape: Dims;
  op: BenchOp;
  /** The cell timed, when not the SimpleRNN ('lstm' or 'gru'; absent: 'rnn'). */
  cell?: Cell;
  /** benchmark.js statistics of the best round: mean and deviation in ms, relative margin of error in %. */
  meanMs: number;
  rme: number;
  deviationMs: number;
  samples: number;
  /** Useful floating-point operations per second, in 1e9 (see flops()). */
  gflops: number;
  /** The mean of every round, in ms. */
  roundsMs: number[];
  /** Every sample of the best round, in ms (µs precision): what `bench --compare` ranks against a baseline's. */
  sampleMs?: number[];
  /** gflops over the run's machine limit (the fastest matrix-multiply probe), when probes were timed. */
  fractionOfLimit?: number;
  /**
   * For a backend in another process: the mean of its own times for the same call (the exec protocol's
   * `time` request), so meanMs − inProcessMs is what the pipe costs per call.
   */
  inProcessMs?: number;
  inProcessSamples?: number;
  /**
   * The machine it was measured on, in a report merged from several (rnn-harness merge); its backend then ends in " @
   * machine".
   */
  machine?: string;
};

/**
 * Floating-point operations of one call, counting a multiply-add as 2: the forward pass is
 * 2·B·T·G·H·(F+H) (x·wx and h·wh, with G gate blocks: 1 for the SimpleRNN, 4 for an LSTM, 3 for a GRU);
 * backward is twice that (da·wxᵀ, da·whᵀ, xᵀ·da, hᵀ·da); a train step is forward + backward =
 * 6·B·T·G·H·(F+H). Activations, gates' products and bias additions are left out.
 */
export function flops(s: Dims, op: BenchOp, cell: Cell = 'rnn'): number {
  const f = 2 * s.B * s.T * GATES[cell] * s.H * (s.F + s.H);
  return op === 'forward' ? f : 3 * f;
}

/**
 * Seeded inputs for a shape (weights scaled so tanh does not saturate); `variant` draws another set; a
 * gated cell's weights have its G gate blocks ([F,G·H], [H,G·H], [G·H], and a GRU's bh).
 */
export function benchInputs(s: Dims, variant = 0, cell: Cell = 'rnn') {
  const rng = seededRng(s.B * 1_000_003 + s.T * 1009 + s.F * 31 + s.H + variant * 7_919_003);
  const G = GATES[cell] * s.H;
  return {
    params: {
      wx: uniformTensor(rng, [s.F, G], 1 / Math.sqrt(s.F)),
      wh: uniformTensor(rng, [s.H, G], 1 / Math.sqrt(s.H)),
      b: uniformTensor(rng, [G], 0.1),
      ...(cell === 'gru' ? { bh: uniformTensor(rng, [G], 0.1) } : {}),
    },
    x: uniformTensor(rng, [s.B, s.T, s.F]),
    dhs: uniformTensor(rng, [s.B, s.T, s.H]),
  };
}

/** Times one async step with benchmark.js (deferred: each sample awaits the step). */
export function timeAsync(name: string, step: () => Promise<unknown>, maxTimeS: number): Promise<Benchmark.Stats> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(name, {
      defer: true,
      maxTime: maxTimeS,
      minSamples: 5,
      fn: (deferred: { resolve(): void }) => {
        step().then(
          () => deferred.resolve(),
          (e: unknown) => {
            bench.abort();
            reject(e);
          },
        );
      },
      onComplete: () => resolve(bench.stats),
      onError: () => reject(bench.error),
    });
    bench.run({ async: true });
  });
}

export type BenchPlan = {
  backends: RnnBackend[];
  shapes: Dims[];
  ops: readonly BenchOp[];
  rounds: number;
  maxTimeS: number;
  /** The activation every call uses (default tanh); the caller leaves out backends that lack it. */
  activation?: Activation;
  /** The cell every call runs (default 'rnn'; a GRU with its reset gate after the product). */
  cell?: Cell;
  /** Matrix-multiply probes for the machine limit (see MatmulProbe); timed first, in the same rounds. */
  probes?: MatmulProbe[];
};

/** One engine's n×n matrix product: 2·n³ floating-point operations. */
export type PeakResult = {
  engine: string;
  n: number;
  meanMs: number;
  rme: number;
  samples: number;
  gflops: number;
  roundsMs: number[];
};

/**
 * A backend (or probe) that could not be timed: it failed to start, threw, hung or answered wrongly; a
 * backend in another process adds its traceback and what it printed (ChildDetails).
 */
export type BenchFailure = { backend: string; shape?: Dims; op?: BenchOp; reason: string } & ChildDetails;

export type BenchRun = {
  results: BenchResult[];
  peaks: PeakResult[];
  /** What could not be timed, and why; the rest of the run went on. */
  failures: BenchFailure[];
  /** The fastest probe: the best matrix-multiply rate any engine reached in this run. */
  limit?: PeakResult;
};

export const PEAK_N = 512;

type Timed = { name: string; label: string; step: () => Promise<unknown> };
type Best = { stats: Benchmark.Stats; roundsMs: number[] };
type Progress = (done: number, total: number, what: string) => void;

/**
 * Times every item once per round, items taking turns within each round; keeps each item's best round.
 * Each item runs once untimed first (a check that it works at all); an item that throws there or while
 * timed is dropped from the later rounds and comes back in `failed` with its message.
 */
async function interleaved(
  items: Timed[],
  rounds: number,
  maxTimeS: number,
  tick: (what: string) => void,
): Promise<{ best: Map<string, Best>; failed: Map<string, Failed> }> {
  const best = new Map<string, Best>();
  const failed = new Map<string, Failed>();
  for (const item of items) {
    try {
      await item.step();
    } catch (e) {
      failed.set(item.name, { reason: errorText(e), ...childDetails(e) });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const item of items) {
      tick(`${item.label} (round ${round + 1}/${rounds})`);
      if (failed.has(item.name)) continue;
      let stats: Benchmark.Stats;
      try {
        collectGarbage();
        stats = await timeAsync(item.name, item.step, maxTimeS);
      } catch (e) {
        failed.set(item.name, { reason: errorText(e), ...childDetails(e) });
        continue;
      }
      const prev = best.get(item.name);
      const roundsMs = [...(prev?.roundsMs ?? []), stats.mean * 1000];
      best.set(item.name, { stats: prev === undefined || stats.mean < prev.stats.mean ? stats : prev.stats, roundsMs });
    }
  }
  for (const name of failed.keys()) best.delete(name);
  return { best, failed };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
type Failed = { reason: string } & ChildDetails;

/**
 * A full garbage collection before each measurement, so that no backend pays for the garbage the one
 * timed before it left (a backend in another process allocates a fresh result per call, and was seen
 * twice as slow right after loops). V8's gc() is not exposed by default; the flag can be set at run time.
 */
const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

const statsOf = (b: Best) => ({
  meanMs: b.stats.mean * 1000,
  rme: b.stats.rme,
  samples: b.stats.sample.length,
  roundsMs: b.roundsMs,
});
/** The best round's samples in ms, to the µs. */
const samplesOf = (b: Best) => b.stats.sample.map((s) => Math.round(s * 1e6) / 1e3);

/**
 * Runs the plan, calling `progress` before each measurement: first the matrix-multiply probes, then, for
 * each shape and op, every backend in interleaved rounds. Each result's `fractionOfLimit` is its GFLOP/s
 * over the fastest probe's.
 */
export async function timeBackends(plan: BenchPlan, progress: Progress = () => {}): Promise<BenchRun> {
  const probes = plan.probes ?? [];
  const total = (probes.length + plan.shapes.length * plan.ops.length * plan.backends.length) * plan.rounds;
  let done = 0;
  const tick = (what: string) => progress(done++, total, what);

  const failures: BenchFailure[] = [];
  const peakItems = probes.map((p) => ({
    name: p.engine,
    label: `machine limit: ${p.engine} ${PEAK_N}x${PEAK_N}`,
    step: () => p.multiply(),
  }));
  const peakRun = await interleaved(peakItems, plan.rounds, plan.maxTimeS, tick);
  for (const [engine, f] of peakRun.failed)
    failures.push({ ...f, backend: engine, reason: `matrix-multiply probe: ${f.reason}` });
  const peaks = probes.flatMap((p): PeakResult[] => {
    const b = peakRun.best.get(p.engine);
    if (b === undefined) return [];
    const s = statsOf(b);
    return [{ engine: p.engine, n: PEAK_N, ...s, gflops: (2 * PEAK_N ** 3) / s.meanMs / 1e6 }];
  });
  const limit = peaks.reduce<PeakResult | undefined>(
    (a, p) => (a === undefined || p.gflops > a.gflops ? p : a),
    undefined,
  );

  const results: BenchResult[] = [];
  for (const shape of plan.shapes) {
    for (const op of plan.ops) {
      // Two input sets, taken in turn, as the batches of a training run would be: no engine can keep a
      // result, and a backend in another process pays for sending new inputs on every call.
      const cell = plan.cell ?? 'rnn';
      const sets = [benchInputs(shape, 0, cell), benchInputs(shape, 1, cell)];
      const { params, x, dhs } = sets[0] as (typeof sets)[number];
      const o = cell === 'rnn' ? { activation: plan.activation ?? 'tanh' } : { cell };
      const items = plan.backends.map((backend) => {
        let turn = 0;
        return {
          name: backend.name,
          label: `${backend.name} ${op} B=${shape.B} T=${shape.T} F=${shape.F} H=${shape.H}`,
          step: async () => {
            const set = sets[turn++ % 2] as (typeof sets)[number];
            const hs = await backend.forward(set.params, set.x, o);
            if (op === 'train') await backend.backward(set.params, set.x, hs, set.dhs, o);
          },
        };
      });
      const { best, failed } = await interleaved(items, plan.rounds, plan.maxTimeS, tick);
      for (const [name, f] of failed) failures.push({ backend: name, shape, op, ...f });
      for (const backend of plan.backends) {
        const b = best.get(backend.name);
        if (b === undefined) continue;
        const gflops = flops(shape, op, cell) / b.stats.mean / 1e9;
        let inProcess: { inProcessMs: number; inProcessSamples: number } | undefined;
        if (backend.timeInProcess !== undefined) {
          // As many of the child's own timings as fit in one measurement's time, at least 5.
          const repeat = Math.max(5, Math.min(200, Math.round((plan.maxTimeS * 1000) / (b.stats.mean * 1000))));
          try {
            const ms = await backend.timeInProcess(op, params, x, dhs, o, repeat);
            inProcess = { inProcessMs: ms.reduce((a, v) => a + v, 0) / ms.length, inProcessSamples: ms.length };
          } catch (e) {
            failures.push({ backend: backend.name, shape, op, reason: `in-process timing: ${errorText(e)}` });
          }
        }
        results.push({
          backend: backend.name,
          shape,
          op,
          ...(cell === 'rnn' ? {} : { cell }),
          ...statsOf(b),
          sampleMs: samplesOf(b),
          deviationMs: b.stats.deviation * 1000,
          gflops,
          ...(limit === undefined ? {} : { fractionOfLimit: gflops / limit.gflops }),
          ...inProcess,
        });
      }
    }
  }
  progress(total, total, 'done');
  return { results, peaks, failures, ...(limit === undefined ? {} : { limit }) };
}
