/**
 * The WebAssembly engine behind `wasm` and `wasm-f32`: the kernels of assembly/ compiled to
 * dist/wasm/rnn-f64.wasm and rnn-f32.wasm (scripts/build-wasm.mjs), each instance on one shared
 * WebAssembly.Memory that worker threads can run chunks of a call on. The memory is an arena: a call lays
 * out its tensors from the same base, so memory grows only to what the largest call needs, and never
 * with the number of calls.
 */
import { existsSync, readFileSync } from 'node:fs';
import { packageFile } from '../core/package-files.js';
import type { Precision } from '../core/rnn.js';

/** What the .wasm exports: sizes, flags (0/1) and byte offsets into the memory. */
export type WasmExports = {
  elementBytes(): number;
  forward(
    B: number,
    S: number,
    F: number,
    H: number,
    relu: number,
    x: number,
    wx: number,
    wxp: number,
    wh: number,
    whp: number,
    b: number,
    h0: number,
    hs: number,
  ): void;
  backward(
    B: number,
    S: number,
    F: number,
    H: number,
    relu: number,
    x: number,
    wxt: number,
    wxtp: number,
    wht: number,
    whtp: number,
    h0: number,
    hs: number,
    dhs: number,
    da: number,
    dap: number,
    scratch: number,
    g: number,
    dx: number,
    dwx: number,
    dwh: number,
    db: number,
  ): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  gruForward(...args: number[]): void;
  gruBackward(...args: number[]): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  /** B [K×N] (row stride ldb) packed into panels at bp (K·N numbers of room). */
  pack(K: number, N: number, b: number, ldb: number, bp: number): void;
  matmul(n: number, a: number, b: number, bp: number, c: number): void;
};

const PAGE = 65536;
/** The module's own data and stack stay below this; the arena starts here. */
const BASE = PAGE;
/** 1 GiB: what the module was compiled to allow (--maximumMemory 16384 pages). */
export const MAX_PAGES = 16384;

/** The compiled module file of a precision, or undefined when it has not been built. */
export function wasmFile(precision: Precision): string | undefined {
  const file = packageFile('dist', 'wasm', `rnn-f${precision === 'float64' ? 64 : 32}.wasm`);
  return existsSync(file) ? file : undefined;
}

const modules = new Map<Precision, WebAssembly.Module>();
/** The compiled module of a precision (compiled once per process). */
export function wasmModule(precision: Precision): WebAssembly.Module {
  let m = modules.get(precision);
  if (m === undefined) {
    const file = wasmFile(precision);
    if (file === undefined) throw new Error(`the ${precision} wasm kernels are not built: run npm run build`);
    modules.set(precision, (m = new WebAssembly.Module(readFileSync(file))));
  }
  return m;
}

export const newSharedMemory = () => new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });

/** One instance on one memory, with the arena a call lays its tensors out in. */
/**
 * Runs one gated export on every chunk's arguments: the first chunk on the calling thread, the others on
 * the workers (wasm-lstm.ts, wasm-gru.ts).
 */
export type Dispatch = (
  op: 'lstmForward' | 'lstmBackward' | 'gruForward' | 'gruBackward',
  args: number[][],
) => Promise<void>;

export class WasmEngine {
  readonly exports: WasmExports;
  readonly memory: WebAssembly.Memory;
  readonly bytes: 4 | 8;
  private top = BASE;

  constructor(
    readonly precision: Precision,
    memory = newSharedMemory(),
  ) {
    this.memory = memory;
    this.exports = new WebAssembly.Instance(wasmModule(precision), { env: { memory } })
      .exports as unknown as WasmExports;
    this.bytes = precision === 'float64' ? 8 : 4;
    if (this.exports.elementBytes() !== this.bytes)
      throw new Error(`the ${precision} wasm module computes with ${this.exports.elementBytes()}-byte numbers`);
  }

  /** Starts a new layout at the base: the previous call's tensors are overwritten. */
  reset(): void {
    this.top = BASE;
  }

  /** Room for n numbers, 64-byte aligned; grows the memory when the layout outgrows it. */
  alloc(n: number): number {
    const at = this.top;
    this.top = Math.ceil((at + n * this.bytes) / 64) * 64;
    const need = Math.ceil(this.top / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (need > have) {
      if (need > MAX_PAGES)
        throw new RangeError(
          `wasm: a call needs ${(this.top / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_PAGES / 16} MiB the kernels were built for`,
        );
      this.memory.grow(need - have);
    }
    return at;
  }

  /** A view of n numbers at a byte offset; made fresh each time, since growing the memory detaches views. */
  view(at: number, n: number): Float64Array | Float32Array {
    return this.precision === 'float64'
      ? new Float64Array(this.memory.buffer, at, n)
      : new Float32Array(this.memory.buffer, at, n);
  }

  /** Copies `data` (converted to this precision) to a fresh place in the arena; returns its offset. */
  put(data: Float64Array | Float32Array): number {
    const at = this.alloc(data.length);
    this.view(at, data.length).set(data);
    return at;
  }

  /** B [K×N] copied into the arena and packed (see assembly/simd.ts): returns [plain, packed]. */
  putPacked(data: Float64Array | Float32Array, K: number, N: number): [number, number] {
    const plain = this.put(data);
    const packed = this.alloc(K * N);
    this.exports.pack(K, N, plain, N, packed);
    return [plain, packed];
  }

  /** The transpose of B [K×N] (already in the arena), plain and packed: returns [plain, packed]. */
  transposed(at: number, K: number, N: number): [number, number] {
    const t = this.alloc(N * K);
    this.exports.transpose(K, N, at, t);
    const packed = this.alloc(N * K);
    this.exports.pack(N, K, t, K, packed);
    return [t, packed];
  }

  /** A copy of n numbers at a byte offset, which belongs to the caller. */
  take(at: number, n: number): Float64Array | Float32Array {
    return this.view(at, n).slice();
  }

  /**
   * The sum of `count` regions of `size` numbers, one after the other from `at` (each batch chunk's
   * parameter gradients), as a copy that belongs to the caller.
   */
  sumOfChunks(at: number, size: number, count: number): Float64Array | Float32Array {
    const out = this.take(at, size);
    for (let k = 1; k < count; k++) {
      const part = this.view(at + k * size * this.bytes, size);
      for (let i = 0; i < size; i++) out[i] = (out[i] as number) + (part[i] as number);
    }
    return out;
  }

  /** Bytes the memory holds now. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
