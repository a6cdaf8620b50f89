/**
 * `workers`: the reference math split across a piscina pool, one batch chunk per thread. Each worker runs
 * workers/rnn-task.ts, which calls the same kernels as `loops` (SimpleRNN, LSTM, GRU) on its rows; inputs
 * and results travel in SharedArrayBuffers. The chunks' parameter gradients are summed here; hs, dx, dh0
 * and dc0 are written in place by row. Calls too small to pay for the hop to a thread run in this thread,
 * through the same functions as `loops` on plain arrays.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { RnnTask, SharedGradients, SharedInputs } from '../../workers/rnn-task.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import type { BackendEntry } from '../registry/types.js';
import {
  checkBackward,
  checkForward,
  type CheckedCall,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { backwardInThread, forwardInThread, gradientTensors } from './loops.js';
import { balancedRanges } from './batch-chunks.js';
import { CELLS, GATES } from '../core/kinds.js';

/**
 * Below this many multiply-adds per call (B·T·G·H·(F+H), G gate blocks: 1, 4 or 3) the batch is not split:
 * a round trip to a worker costs about as much as the work. Measured on a 2-core machine (docs/BACKENDS.md,
 * "The workers backend").
 */
export const DEFAULT_MIN_PARALLEL_WORK = 1_000_000;

export type WorkersOptions = {
  /** Threads in the pool (default: os.availableParallelism()). */
  threads?: number;
  /** Multiply-adds per call below which the call runs in this thread (default DEFAULT_MIN_PARALLEL_WORK). */
  minParallelWork?: number;
  /** The worker entry point (default: the built workers/rnn-task.js); for instrumented workers in tests. */
  workerFile?: string;
};

/** The built worker entry: next to this file in dist/, or dist/ of the project when run from source. */
export function defaultWorkerFile(): string | undefined {
  const candidates = [
    new URL('../../workers/rnn-task.js', import.meta.url),
    new URL('../../dist/workers/rnn-task.js', import.meta.url),
  ];
  return candidates.map((u) => fileURLToPath(u)).find((f) => existsSync(f));
}

function positiveInteger(name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw invalidArgument("createBackend('workers')", `options.${name}`, `an integer >= ${min}`, describeValue(v));
  }
  return v;
}

/** The tensor's own SharedArrayBuffer when its data is a float64 view of all of one, else undefined. */
function ownShared(t: Tensor): SharedArrayBuffer | undefined {
  const d = t.data;
  const whole =
    d instanceof Float64Array &&
    d.buffer instanceof SharedArrayBuffer &&
    d.byteOffset === 0 &&
    d.buffer.byteLength === d.byteLength;
  return whole ? (d.buffer as SharedArrayBuffer) : undefined;
}

/** Bytes of staging buffers a backend keeps between calls (beyond this, returned buffers are dropped). */
const MAX_KEPT_STAGING_BYTES = 256 * 1024 * 1024;

/**
 * Staging buffers for the copies of a call's inputs, reused from call to call: a fresh SharedArrayBuffer
 * page-faults on first touch (about 1 µs per 4 KiB here), and this copy runs before any work is split.
 * A call leases its buffers and gives them back when its tasks have finished, so calls in flight at the
 * same time never share one. Results are never staged: they belong to the caller.
 */
class Staging {
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private keptBytes = 0;

  /** A SharedArrayBuffer holding `t` as float64: its own buffer when it is one, else a leased copy. */
  copyOf(t: Tensor, leased: SharedArrayBuffer[]): SharedArrayBuffer {
    const own = ownShared(t);
    if (own !== undefined) return own;
    const bytes = t.data.length * 8;
    const kept = this.free.get(bytes)?.pop();
    if (kept !== undefined) this.keptBytes -= bytes;
    const buf = kept ?? new SharedArrayBuffer(bytes);
    new Float64Array(buf).set(t.data);
    leased.push(buf);
    return buf;
  }

  giveBack(leased: SharedArrayBuffer[]): void {
    for (const buf of leased) {
      if (this.keptBytes + buf.byteLength > MAX_KEPT_STAGING_BYTES) continue;
      const list = this.free.get(buf.byteLength) ?? [];
      list.push(buf);
      this.free.set(buf.byteLength, list);
      this.keptBytes += buf.byteLength;
    }
  }
}

const sharedZeros = (n: number) => new SharedArrayBuffer(n * 8);

export class WorkersBackend implements RnnBackend {
  readonly name = 'workers';
  readonly precision = 'float64';
  readonly cells = CELLS;
  readonly threads: number;
  readonly minParallelWork: number;
  private readonly pool: Piscina<RnnTask, number>;
  private readonly staging = new Staging();

  constructor(options: WorkersOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgument("createBackend('workers')", 'options', 'an object', describeValue(options));
    }
    this.threads = positiveInteger('threads', options.threads, availableParallelism(), 1);
    this.minParallelWork = positiveInteger('minParallelWork', options.minParallelWork, DEFAULT_MIN_PARALLEL_WORK, 0);
    const file = options.workerFile ?? defaultWorkerFile();
    if (file === undefined || !existsSync(file)) {
      throw invalidArgument(
        "createBackend('workers')",
        'options.workerFile',
        'an existing file (run npm run build)',
        describeValue(file),
      );
    }
    this.pool = new Piscina<RnnTask, number>({
      filename: pathToFileURL(file).href,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 60_000,
    });
  }

  /** Tasks the pool has completed (in-thread runs are not counted). */
  get completedTasks(): number {
    return this.pool.completed;
  }

  /** Batch chunks [from, to), balanced, one per thread; a single chunk when the call is small. */
  private chunks(call: CheckedCall): [number, number][] {
    const work = call.B * call.T * GATES[call.cell] * call.H * (call.F + call.H);
    const n = work < this.minParallelWork ? 1 : Math.min(this.threads, call.B);
    return balancedRanges(call.B, n);
  }

  /**
   * Runs every task on the pool and waits for all of them, then rejects with the first worker's error:
   * a chunk still running must not find its staged inputs handed to the next call.
   */
  private async dispatch(tasks: RnnTask[]): Promise<void> {
    const settled = await Promise.allSettled(tasks.map((t) => this.pool.run(t)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Runs the chunks' tasks with inputs staged in shared memory; the staging buffers go back afterwards. */
  private async run(
    p: RnnParams,
    x: Tensor,
    call: CheckedCall,
    hs: Tensor | SharedArrayBuffer,
    tasks: (inputs: SharedInputs, stage: (t: Tensor) => SharedArrayBuffer) => RnnTask[],
  ): Promise<void> {
    const leased: SharedArrayBuffer[] = [];
    try {
      const stage = (t: Tensor) => this.staging.copyOf(t, leased);
      const inputs: SharedInputs = {
        wx: stage(p.wx),
        wh: stage(p.wh),
        b: stage(p.b),
        x: stage(x),
        h0: call.h0 && stage(call.h0),
        bh: p.bh && stage(p.bh),
        c0: call.c0 && stage(call.c0),
        hs: hs instanceof SharedArrayBuffer ? hs : stage(hs),
      };
      await this.dispatch(tasks(inputs, stage));
    } finally {
      this.staging.giveBack(leased);
    }
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const call = checkForward('workers.forward', p, x, o);
    const chunks = this.chunks(call);
    if (chunks.length === 1) return forwardInThread(call, p, x);
    const { B, T, H } = call;
    const hs = sharedZeros(B * T * H);
    await this.run(p, x, call, hs, (inputs) =>
      chunks.map(([from, to], chunk) => ({
        op: 'forward',
        cell: call.cell,
        resetAfter: call.resetAfter,
        activation: call.activation,
        dims: call,
        from,
        to,
        chunk,
        inputs,
      })),
    );
    return { shape: [B, T, H], data: new Float64Array(hs) };
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const call = checkBackward('workers.backward', p, x, hs, dhs, o);
    const { B, T, F, H } = call;
    const chunks = this.chunks(call);
    if (chunks.length === 1) return backwardInThread(call, p, x, hs, dhs);
    const n = chunks.length;
    const G = GATES[call.cell] * H;
    const grads = {
      wx: sharedZeros(n * F * G),
      wh: sharedZeros(n * H * G),
      b: sharedZeros(n * G),
      bh: sharedZeros(call.cell === 'gru' ? n * G : 0),
      x: sharedZeros(B * T * F),
      h0: sharedZeros(B * H),
      c0: sharedZeros(call.cell === 'lstm' ? B * H : 0),
    };
    await this.run(p, x, call, hs, (inputs, stage) => {
      const all: SharedGradients = { ...grads, dhs: stage(dhs) };
      return chunks.map(([from, to], chunk) => ({
        op: 'backward',
        cell: call.cell,
        resetAfter: call.resetAfter,
        activation: call.activation,
        dims: call,
        from,
        to,
        chunk,
        inputs,
        grads: all,
      }));
    });
    const sum = (buf: SharedArrayBuffer, size: number): Float64Array => {
      const all = new Float64Array(buf);
      const out = all.slice(0, size);
      for (let c = 1; c < n; c++)
        for (let i = 0; i < size; i++) out[i] = (out[i] as number) + (all[c * size + i] as number);
      return out;
    };
    return gradientTensors(call, {
      wx: sum(grads.wx, F * G),
      wh: sum(grads.wh, H * G),
      b: sum(grads.b, G),
      bh: sum(grads.bh, call.cell === 'gru' ? G : 0),
      x: new Float64Array(grads.x),
      h0: new Float64Array(grads.h0),
      c0: new Float64Array(grads.c0),
    });
  }

  async dispose(): Promise<void> {
    await this.pool.destroy();
  }
}

export const workersEntry: BackendEntry = {
  name: 'workers',
  precision: 'float64',
  validatesInput: true,
  cells: CELLS,
  description: 'float64 reference math (SimpleRNN, LSTM, GRU), batch split across a piscina worker pool',
  checkOptions: { minParallelWork: 0 },
  availability: async () =>
    defaultWorkerFile() === undefined
      ? { available: false, reason: 'the worker entry dist/workers/rnn-task.js is not built; run npm run build' }
      : { available: true },
  create: async (options?: object) => new WorkersBackend(options as WorkersOptions | undefined),
};
