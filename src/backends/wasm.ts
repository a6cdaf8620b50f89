/**
 * `wasm` (float64, f64x2) and `wasm-f32` (float32, f32x4): the SimpleRNN, the LSTM and the GRU
 * (wasm-lstm.ts, wasm-gru.ts) as AssemblyScript kernels with 128-bit SIMD (assembly/, see wasm-engine.ts).
 * A call copies its inputs into the module's memory once, runs every product there, and copies its
 * results out. With more than one thread the batch is split: the calling thread runs the first chunk and
 * piscina workers, instantiated on the same shared memory, run the others, so no tensor is copied per
 * chunk; the chunks' parameter gradients are summed here.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { WasmTask } from '../../workers/wasm-task.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import type { BackendEntry, MatmulProbe } from '../registry/types.js';
import {
  checkBackward,
  checkForward,
  type CheckedCall,
  type Precision,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { balancedRanges } from './batch-chunks.js';
import { WasmEngine, wasmFile, wasmModule } from './wasm-engine.js';
import { wasmLstmBackward, wasmLstmForward } from './wasm-lstm.js';
import { wasmGruBackward, wasmGruForward } from './wasm-gru.js';
import { GATES, type Cell } from '../core/kinds.js';

/** The cells the kernels implement (assembly/rnn.ts, lstm.ts, gru.ts). */
const WASM_CELLS: readonly Cell[] = ['rnn', 'lstm', 'gru'];

export type WasmOptions = {
  /** Threads a call may use (default: os.availableParallelism()); 1 runs every call in the calling thread. */
  threads?: number;
  /** Multiply-adds B·T·H·(F+H) below which a call is not split (default DEFAULT_WASM_MIN_PARALLEL_WORK). */
  minParallelWork?: number;
};

/** Below this much work a hand-off to a worker (about 50 µs) costs more than it saves. */
export const DEFAULT_WASM_MIN_PARALLEL_WORK = 2_000_000;

/** The built worker entry: next to this file in dist/, or dist/ of the project when run from source. */
function workerFile(): string | undefined {
  const candidates = [
    new URL('../../workers/wasm-task.js', import.meta.url),
    new URL('../../dist/workers/wasm-task.js', import.meta.url),
  ];
  return candidates.map((u) => fileURLToPath(u)).find((f) => existsSync(f));
}

function option(precision: Precision, name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw invalidArgument(
      `createBackend('${nameOf(precision)}')`,
      `options.${name}`,
      `an integer >= ${min}`,
      describeValue(v),
    );
  }
  return v;
}

const nameOf = (p: Precision) => (p === 'float64' ? 'wasm' : 'wasm-f32');

export class WasmBackend implements RnnBackend {
  readonly name: string;
  readonly cells = WASM_CELLS;
  readonly threads: number;
  readonly minParallelWork: number;
  private readonly engine: WasmEngine;
  private readonly pool: Piscina<WasmTask, number> | undefined;
  /** Calls run one at a time: they share the arena. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly precision: Precision,
    options: WasmOptions = {},
  ) {
    if (typeof options !== 'object' || options === null)
      throw invalidArgument(`createBackend('${nameOf(precision)}')`, 'options', 'an object', describeValue(options));
    this.name = nameOf(precision);
    this.threads = option(precision, 'threads', options.threads, availableParallelism(), 1);
    this.minParallelWork = option(
      precision,
      'minParallelWork',
      options.minParallelWork,
      DEFAULT_WASM_MIN_PARALLEL_WORK,
      0,
    );
    this.engine = new WasmEngine(precision);
    if (this.threads > 1) {
      const file = workerFile();
      if (file === undefined)
        throw new Error(`${this.name}: the worker entry dist/workers/wasm-task.js is not built; run npm run build`);
      this.pool = new Piscina<WasmTask, number>({
        filename: pathToFileURL(file).href,
        minThreads: this.threads - 1,
        maxThreads: this.threads - 1,
        idleTimeout: 60_000,
        workerData: { module: wasmModule(precision), memory: this.engine.memory },
      });
    }
  }

  /** Chunks the workers have run (the calling thread's are not counted). */
  get completedTasks(): number {
    return this.pool?.completed ?? 0;
  }

  /** Bytes of the module's memory: what the largest call so far needed, however many calls there were. */
  get memoryBytes(): number {
    return this.engine.memoryBytes;
  }

  private serial<R>(work: () => Promise<R>): Promise<R> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Batch chunks [from, to), one per thread; a single chunk when the call is small. */
  private chunks(c: CheckedCall): [number, number][] {
    const work = c.B * c.T * GATES[c.cell] * c.H * (c.F + c.H);
    const n = this.pool === undefined || work < this.minParallelWork ? 1 : Math.min(this.threads, c.B);
    return balancedRanges(c.B, n);
  }

  /** Runs chunk 0 here and the others on the pool, all on the same memory; waits for every one. */
  private async dispatch(op: WasmTask['op'], args: number[][]): Promise<void> {
    const others = args.slice(1).map((a) => (this.pool as Piscina<WasmTask, number>).run({ op, args: a }));
    let here: unknown;
    try {
      (this.engine.exports[op] as (...a: number[]) => void)(...(args[0] as number[]));
    } catch (e) {
      here = e;
    }
    const settled = await Promise.allSettled(others);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (here !== undefined) throw here;
    if (failed !== undefined) throw failed.reason;
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const c = checkForward(`${this.name}.forward`, p, x, o);
    const dispatch = (op: WasmTask['op'], a: number[][]) => this.dispatch(op, a);
    if (c.cell === 'lstm') return this.serial(() => wasmLstmForward(this.engine, c, p, x, this.chunks(c), dispatch));
    if (c.cell === 'gru') return this.serial(() => wasmGruForward(this.engine, c, p, x, this.chunks(c), dispatch));
    return this.serial(async () => {
      const { B, T, F, H } = c;
      const e = this.engine;
      const n = e.bytes;
      e.reset();
      const [[wx, wxp], [wh, whp]] = [e.putPacked(p.wx.data, F, H), e.putPacked(p.wh.data, H, H)];
      const [b, xs] = [e.put(p.b.data), e.put(x.data)];
      const h0 = c.h0 === undefined ? 0 : e.put(c.h0.data);
      const hs = e.alloc(B * T * H);
      const relu = c.activation === 'relu' ? 1 : 0;
      await this.dispatch(
        'forward',
        this.chunks(c).map(([from, to]) => [
          to - from,
          T,
          F,
          H,
          relu,
          xs + from * T * F * n,
          wx,
          wxp,
          wh,
          whp,
          b,
          h0 === 0 ? 0 : h0 + from * H * n,
          hs + from * T * H * n,
        ]),
      );
      return { shape: [B, T, H], data: e.take(hs, B * T * H) };
    });
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const c = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const dispatch = (op: WasmTask['op'], a: number[][]) => this.dispatch(op, a);
    if (c.cell === 'lstm')
      return this.serial(() => wasmLstmBackward(this.engine, c, p, x, dhs, this.chunks(c), dispatch));
    if (c.cell === 'gru')
      return this.serial(() => wasmGruBackward(this.engine, c, p, x, dhs, this.chunks(c), dispatch));
    return this.serial(async () => {
      const { B, T, F, H } = c;
      const e = this.engine;
      const n = e.bytes;
      const chunks = this.chunks(c);
      e.reset();
      const [wx, wh, xs, hsP, dhsP] = [
        e.put(p.wx.data),
        e.put(p.wh.data),
        e.put(x.data),
        e.put(hs.data),
        e.put(dhs.data),
      ];
      const h0 = c.h0 === undefined ? 0 : e.put(c.h0.data);
      const [[wxt, wxtp], [wht, whtp]] = [e.transposed(wx, F, H), e.transposed(wh, H, H)];
      const [da, dap, g, dx] = [e.alloc(B * T * H), e.alloc(B * T * H), e.alloc(B * H), e.alloc(B * T * F)];
      const scratch = e.alloc(B * T * Math.max(F, H)); // each chunk's rows: xᵀ, then the previous states transposed
      // Parameter gradients: one region per chunk, summed below.
      const [dwx, dwh, db] = [
        e.alloc(chunks.length * F * H),
        e.alloc(chunks.length * H * H),
        e.alloc(chunks.length * H),
      ];
      const relu = c.activation === 'relu' ? 1 : 0;
      await this.dispatch(
        'backward',
        chunks.map(([from, to], k) => [
          to - from,
          T,
          F,
          H,
          relu,
          xs + from * T * F * n,
          wxt,
          wxtp,
          wht,
          whtp,
          h0 === 0 ? 0 : h0 + from * H * n,
          hsP + from * T * H * n,
          dhsP + from * T * H * n,
          da + from * T * H * n,
          dap + from * T * H * n,
          scratch + from * T * Math.max(F, H) * n,
          g + from * H * n,
          dx + from * T * F * n,
          dwx + k * F * H * n,
          dwh + k * H * H * n,
          db + k * H * n,
        ]),
      );
      const summed = (at: number, size: number) => e.sumOfChunks(at, size, chunks.length);
      return {
        wx: { shape: [F, H], data: summed(dwx, F * H) },
        wh: { shape: [H, H], data: summed(dwh, H * H) },
        b: { shape: [H], data: summed(db, H) },
        x: { shape: [B, T, F], data: e.take(dx, B * T * F) },
        h0: { shape: [B, H], data: e.take(g, B * H) },
      };
    });
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.pool?.destroy();
  }
}

/** An n×n product in a module of its own, in the calling thread: the engine's one-core ceiling. */
function matmulProbe(precision: Precision, n: number): MatmulProbe {
  const e = new WasmEngine(precision);
  const [a, b, bp, c] = [e.alloc(n * n), e.alloc(n * n), e.alloc(n * n), e.alloc(n * n)];
  e.view(a, n * n).set(Float64Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
  e.view(b, n * n).set(Float64Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5));
  return {
    engine: `${nameOf(precision)} SIMD gemm (${precision}, 1 thread)`,
    multiply: async () => e.exports.matmul(n, a, b, bp, c),
    dispose: async () => {},
  };
}

function wasmEntry(precision: Precision, description: string): BackendEntry {
  return {
    name: nameOf(precision),
    precision,
    validatesInput: true,
    cells: WASM_CELLS,
    description,
    // Small shapes still take the threaded path when checked, so the split is what check and fuzz see.
    checkOptions: { minParallelWork: 0 },
    availability: async () => {
      if (wasmFile(precision) === undefined)
        return {
          available: false,
          reason: `dist/wasm/rnn-f${precision === 'float64' ? 64 : 32}.wasm is not built; run npm run build`,
        };
      if (workerFile() === undefined)
        return {
          available: false,
          reason: 'the worker entry dist/workers/wasm-task.js is not built; run npm run build',
        };
      return { available: true };
    },
    create: async (options?: object) => new WasmBackend(precision, options as WasmOptions | undefined),
    matmulProbe: async (n: number) => matmulProbe(precision, n),
  };
}

export const wasmEntries: BackendEntry[] = [
  wasmEntry(
    'float64',
    'AssemblyScript kernels with f64x2 SIMD, the batch split across threads on one shared memory (float64)',
  ),
  wasmEntry(
    'float32',
    'AssemblyScript kernels with f32x4 SIMD, the batch split across threads on one shared memory (float32)',
  ),
];
