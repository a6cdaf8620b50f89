/**
 * gpu.js backends: the SimpleRNN as gpu.js kernels (src/backends/gpujs-kernels.ts), and the LSTM and the
 * GRU (gpujs-gated.ts), in one of three modes, each its own registry entry:
 *   gpujs-headlessgl  WebGL through the native `gl` package (needs an X display; Xvfb is started if none)
 *   gpujs-webasm      gpu.js's WebAssembly backend (SIMD)
 *   gpujs-cpu         gpu.js's JavaScript backend
 * `createBackend('gpujs', { mode })` picks one. All three are float32. gpu.js's formats (output order
 * [width, height], rows as Float32Array, textures) are converted here and never leave this file.
 */
import type { GPU as GPUType, IKernelRunShortcut, KernelVariable } from 'gpu.js';
import {
  checkBackward,
  checkForward,
  type CheckedCall,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { BackendEntry, MatmulProbe } from '../registry/types.js';
import type { Tensor } from '../core/tensor.js';
import { invalidArgument, describeValue } from '../core/errors.js';
import { batchRanges, combineGradients, concatBatch, sliceBatch } from './batch-chunks.js';
import { allKernels, buildKernels, MAX_LOOP, stableTanh, type RnnKernels } from './gpujs-kernels.js';
import { allGatedKernels, buildGatedKernels, stableSigmoid, type GatedKernels } from './gpujs-gated-kernels.js';
import { gatedBackward, gatedForward, type GatedDevice, type GatedReader } from './gpujs-gated.js';
import { GATES, type Cell } from '../core/kinds.js';
import { glStrings, loadGpu, unavailableReason } from './gpujs-env.js';
import { acquireDisplay, pinDisplay, releaseDisplay } from './xvfb.js';

import { GPUJS_MODES, type GpujsMode, type GpujsOptions } from './gpujs-modes.js';

export { GPUJS_MODES, type GpujsMode, type GpujsOptions };
export { unavailableReason };

/** gpu.js's input(): a flat array seen as [columns, rows] (its d.ts declares it only as a type). */
type InputFn = (value: Float32Array, size: number[]) => KernelVariable;

/** The class gpu.js runs a kernel with, to prove there was no silent fallback to another engine. */
const ENGINE_CLASS: Record<GpujsMode, string> = {
  headlessgl: 'HeadlessGLKernel',
  webasm: 'WebAssemblyKernel',
  cpu: 'CPUKernel',
};

/** A device result (texture on GL, nested rows on cpu/webasm) as rows of numbers. */
type Rows = ArrayLike<ArrayLike<number>>;
type DeviceValue = { toArray?: () => unknown; delete?: () => void };
const read = (v: unknown) => ((v as DeviceValue).toArray?.() ?? v) as Rows & ArrayLike<number>;
const f32 = (t: Tensor) => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data));
const tensor = (shape: number[], data: Float64Array): Tensor => ({ shape, data });
/** Calls a kernel with its output set to `output` ([columns, rows] or [length]) on values of any kind. */
const call = (kernel: IKernelRunShortcut, output: number[], ...args: unknown[]): unknown => {
  kernel.setOutput(output);
  return kernel(...(args as KernelVariable[]));
};

/** The cells the kernels implement: the SimpleRNN, and the LSTM and the GRU (src/backends/gpujs-gated.ts). */
const GPUJS_CELLS: readonly Cell[] = ['rnn', 'lstm', 'gru'];

export class GpujsBackend implements RnnBackend {
  readonly name: string;
  readonly precision = 'float32';
  readonly cells = GPUJS_CELLS;
  /** GL vendor and renderer (llvmpipe means software rendering); undefined in the webasm and cpu modes. */
  readonly renderer: string | undefined;
  readonly vendor: string | undefined;
  private readonly kernels = new Map<string, RnnKernels>();
  private gated: GatedKernels | undefined;
  private disposed = false;

  private constructor(
    readonly mode: GpujsMode,
    private readonly gpu: GPUType,
    private readonly input: InputFn,
    gl: { vendor: string; renderer: string } | undefined,
    /** Rows (B·T) one kernel call can take: the largest texture on GL, unbounded otherwise. */
    private readonly maxRows: number,
  ) {
    this.name = `gpujs-${mode}`;
    this.vendor = gl?.vendor;
    this.renderer = gl?.renderer;
  }

  static async create(options: GpujsOptions = {}): Promise<GpujsBackend> {
    const mode = options.mode ?? 'headlessgl';
    if (!GPUJS_MODES.includes(mode))
      throw invalidArgument(
        'createBackend(gpujs)',
        'options.mode',
        GPUJS_MODES.map((m) => `'${m}'`).join(', '),
        describeValue(mode),
      );
    const why = await unavailableReason(mode);
    if (why !== undefined) throw new Error(`gpujs-${mode} cannot run here: ${why}`);
    if (mode === 'headlessgl') await acquireDisplay();
    const lib = await loadGpu();
    const gpu = new lib.GPU({ mode });
    if (mode === 'headlessgl') pinDisplay();
    for (const fn of [stableTanh, stableSigmoid])
      gpu.addFunction(fn as never, { argumentTypes: { a: 'Number' }, returnType: 'Number' } as never);
    const maxRows =
      mode === 'headlessgl'
        ? (lib as unknown as { HeadlessGLKernel: { getMaxTextureSize(): number } }).HeadlessGLKernel.getMaxTextureSize()
        : Infinity;
    return new GpujsBackend(
      mode,
      gpu,
      (lib as unknown as { input: InputFn }).input,
      mode === 'headlessgl' ? glStrings() : undefined,
      maxRows,
    );
  }

  /** The kernels of the call's activation: one set each, compiled once, whatever the shape. */
  private kernelsFor(c: CheckedCall): RnnKernels {
    if (this.disposed) throw new Error(`${this.name}: used after dispose()`);
    const largest = Math.max(c.F, GATES[c.cell] * c.H);
    if (largest > MAX_LOOP)
      throw new RangeError(
        `${this.name}: F and ${c.cell === 'rnn' ? 'H' : `${GATES[c.cell]}·H`} must be at most ${MAX_LOOP} ` +
          `(a kernel's loop bound); got ${largest}`,
      );
    let k = this.kernels.get(c.activation);
    if (k === undefined) this.kernels.set(c.activation, (k = buildKernels(this.gpu, c.activation)));
    return k;
  }

  /** GL textures created and not yet deleted, counted at the context (GL only). */
  private liveTextures = 0;
  private counting = false;

  /** Counts the GL context's textures from the first kernel on (the context exists once one is built). */
  private countTextures(): void {
    const gl = (
      this.gpu as unknown as { context?: { createTexture?: () => unknown; deleteTexture?: (t: unknown) => void } }
    ).context;
    if (this.counting || gl?.createTexture === undefined || gl.deleteTexture === undefined) return;
    this.counting = true;
    const [create, remove] = [gl.createTexture.bind(gl), gl.deleteTexture.bind(gl)];
    gl.createTexture = () => (this.liveTextures++, create());
    gl.deleteTexture = (t: unknown) => (this.liveTextures--, remove(t));
  }

  /**
   * What gpu.js holds for this backend: its compiled kernels, and on GL the textures alive at the context
   * (counted from the first call on). Bounded, whatever shapes a run meets (test/gpujs.test.ts).
   */
  get footprint(): { kernels: number; textures: number } {
    return { kernels: (this.gpu as unknown as { kernels: unknown[] }).kernels.length, textures: this.liveTextures };
  }

  /** Throws unless gpu.js really ran `kernel` on this mode's engine (gpu.js may degrade to cpu). */
  private assertEngine(kernel: IKernelRunShortcut): void {
    const inner = (kernel as unknown as { kernel?: { constructor: { name: string }; fallbackReason?: string } }).kernel;
    const got = inner?.constructor.name;
    if (got !== undefined && got !== ENGINE_CLASS[this.mode]) {
      throw new Error(
        `${this.name}: gpu.js ran the kernel on ${got} instead of ${ENGINE_CLASS[this.mode]}${inner?.fallbackReason ? ` (${inner.fallbackReason})` : ''}`,
      );
    }
  }

  private rows(data: Float32Array, cols: number, rows: number) {
    return this.input(data, [cols, rows]);
  }

  /**
   * The batch in chunks whose B·T rows fit the largest texture (GL only; 16384 rows with Mesa's llvmpipe),
   * of at most MAX_LOOP samples (the kernels' loop bound).
   * `check --large` and `fuzz --sizes large` found that a larger call failed, and broke the next calls.
   */
  private batchChunks(c: CheckedCall): [number, number][] {
    if (c.T > this.maxRows)
      throw new RangeError(`${this.name}: T must be at most ${this.maxRows} (the GL's largest texture); got ${c.T}`);
    return batchRanges(c.B, Math.min(MAX_LOOP, Math.max(1, Math.floor(this.maxRows / c.T))));
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const c = checkForward(`${this.name}.forward`, p, x, o);
    const parts = this.batchChunks(c).map(([from, to]) => {
      const part = { ...c, B: to - from, h0: slice(c.h0, from, to), c0: slice(c.c0, from, to) };
      const xs = sliceBatch(x, from, to);
      const hs =
        c.cell === 'rnn'
          ? this.run(part, p, xs).hs
          : this.onDevice(part, p, xs, (own, k, d) => gatedForward(this.gatedDevice(own, k, d), READER, part, p));
      return tensor([to - from, c.T, c.H], hs);
    });
    return parts.length === 1 ? (parts[0] as Tensor) : concatBatch(parts);
  }

  /**
   * Runs `work` with a tracker of device values; every tracked value (a texture on GL) is deleted after,
   * whatever happens. The inputs every pass needs, x, wx and wh, are uploaded first.
   */
  private onDevice<R>(
    c: CheckedCall,
    p: RnnParams,
    x: Tensor,
    work: (own: <V>(v: V) => V, k: RnnKernels, d: { xs: unknown; wx: unknown; wh: unknown }) => R,
  ): R {
    const { B, T, F, H } = c;
    const W = GATES[c.cell] * H;
    const k = this.kernelsFor(c);
    const owned: unknown[] = [];
    const own = <V>(v: V) => (owned.push(v), v);
    try {
      const xs = own(call(k.copy, [F, B * T], this.rows(f32(x), F, B * T)));
      const wx = own(call(k.copy, [W, F], this.rows(f32(p.wx), W, F)));
      const wh = own(call(k.copy, [W, H], this.rows(f32(p.wh), W, H)));
      this.countTextures();
      return work(own, k, { xs, wx, wh });
    } catch (e) {
      // A kernel that threw mid-run may be left half set up (it was: every later call came back wrong),
      // so its set is dropped and the next call compiles afresh.
      for (const kernel of allKernels(k)) kernel.destroy();
      this.kernels.delete(c.activation);
      if (c.cell !== 'rnn' && this.gated !== undefined)
        for (const kernel of allGatedKernels(this.gated)) kernel.destroy();
      if (c.cell !== 'rnn') this.gated = undefined;
      throw e;
    } finally {
      for (const v of owned) (v as DeviceValue).delete?.();
    }
  }

  private run(c: CheckedCall, p: RnnParams, x: Tensor): { hs: Float64Array } {
    const { B, T, F, H } = c;
    return this.onDevice(c, p, x, (own, k, { xs, wx, wh }) => {
      const xp = own(call(k.project, [H, B * T], xs, wx, f32(p.b), F));
      let h: unknown = own(call(k.copy, [H, B], this.rows(c.h0 ? f32(c.h0) : new Float32Array(B * H), H, B)));
      const steps: unknown[] = [];
      for (let t = 0; t < T; t++) steps.push((h = own(call(k.step, [H, B], xp, h, wh, t, T, H))));
      this.assertEngine(k.step);
      return { hs: gatherSteps(steps, B, T, H) };
    });
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const c = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    return combineGradients(
      this.batchChunks(c).map(([from, to]) => {
        const part = { ...c, B: to - from, h0: slice(c.h0, from, to), c0: slice(c.c0, from, to) };
        if (c.cell !== 'rnn') {
          return this.onDevice(part, p, sliceBatch(x, from, to), (own, k, d) =>
            gatedBackward(this.gatedDevice(own, k, d), READER, part, p, sliceBatch(dhs, from, to)),
          );
        }
        return this.backwardChunk(
          part,
          p,
          sliceBatch(x, from, to),
          sliceBatch(hs, from, to),
          sliceBatch(dhs, from, to),
        );
      }),
    );
  }

  private backwardChunk(c: CheckedCall, p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor): RnnGradients {
    const { B, T, F, H } = c;
    return this.onDevice(c, p, x, (own, k, { xs, wx, wh }) => {
      const hsD = own(call(k.copy, [H, B * T], this.rows(f32(hs), H, B * T)));
      const dhsD = own(call(k.copy, [H, B * T], this.rows(f32(dhs), H, B * T)));
      const h0 = own(call(k.copy, [H, B], this.rows(c.h0 ? f32(c.h0) : new Float32Array(B * H), H, B)));
      let dh: unknown = own(call(k.copy, [H, B], this.rows(new Float32Array(B * H), H, B)));
      let dwh: unknown = own(call(k.copy, [H, H], this.rows(new Float32Array(H * H), H, H)));
      let dwx: unknown = own(call(k.copy, [H, F], this.rows(new Float32Array(F * H), H, F)));
      let db: unknown = own(call(k.copy, [H, 1], this.rows(new Float32Array(H), H, 1)));
      const dxSteps: unknown[] = new Array(T);
      for (let t = T - 1; t >= 0; t--) {
        const da = own(call(k.da, [H, B], dhsD, dh, hsD, t, T));
        dh = own(call(k.carry, [H, B], da, wh, H, 0));
        dwh = own(call(k.accDwh, [H, H], dwh, hsD, h0, da, t, B, T));
        dwx = own(call(k.accDwx, [H, F], dwx, xs, da, t, B, T));
        db = own(call(k.accDb, [H, 1], db, da, B));
        dxSteps[t] = own(call(k.dx, [F, B], da, wx, H));
      }
      this.assertEngine(k.carry);
      return {
        wx: tensor([F, H], flatten(read(dwx), F, H)),
        wh: tensor([H, H], flatten(read(dwh), H, H)),
        b: tensor([H], flatten(read(db), 1, H)),
        x: tensor([B, T, F], gatherSteps(dxSteps, B, T, F)),
        h0: tensor([B, H], flatten(read(dh), B, H)),
      };
    });
  }

  /** The device a gated pass runs on: this call's kernels and uploads, every result owned by the call. */
  private gatedDevice(own: <V>(v: V) => V, k: RnnKernels, d: { xs: unknown; wx: unknown; wh: unknown }): GatedDevice {
    if (this.gated === undefined) this.gated = buildGatedKernels(this.gpu);
    const g = this.gated;
    return {
      k,
      g,
      ...d,
      run: (kernel, output, ...args) => {
        const v = own(call(kernel, output, ...args));
        this.assertEngine(kernel);
        return v;
      },
      up: (data, cols, rows) => own(call(k.copy, [cols, rows], this.rows(data, cols, rows))),
    };
  }

  /** An n×n matrix product on this engine, reading the result back (for the benchmark's machine limit). */
  matmulProbe(n: number): MatmulProbe {
    const kernel = this.gpu.createKernel(
      function (this: { thread: { x: number; y: number }; constants: { n: number } }, a: number[][], b: number[][]) {
        let sum = 0;
        for (let k = 0; k < this.constants.n; k++) sum += a[this.thread.y]![k]! * b[k]![this.thread.x]!;
        return sum;
      } as never,
      { output: [n, n], constants: { n }, precision: 'single', tactic: 'precision' },
    );
    const a = this.rows(
      Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
      n,
      n,
    );
    const b = this.rows(
      Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5),
      n,
      n,
    );
    return {
      engine: `${this.name} kernel (float32${this.renderer ? `, ${this.renderer}` : ''})`,
      multiply: async () => void kernel(a, b),
      dispose: () => this.dispose(),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const k of this.kernels.values()) for (const kernel of allKernels(k)) kernel.destroy();
    this.kernels.clear();
    if (this.gated !== undefined) for (const kernel of allGatedKernels(this.gated)) kernel.destroy();
    this.gated = undefined;
    await this.gpu.destroy();
    if (this.mode === 'headlessgl') releaseDisplay();
  }
}

/** Per-step device results [B, width] gathered into one [B, T, width] array, each read back once. */
function gatherSteps(steps: unknown[], B: number, T: number, width: number): Float64Array {
  const out = new Float64Array(B * T * width);
  steps.forEach((step, t) => {
    const r = read(step);
    for (let b = 0; b < B; b++) for (let j = 0; j < width; j++) out[(b * T + t) * width + j] = r[b]![j]!;
  });
  return out;
}

const slice = (t: Tensor | undefined, from: number, to: number) =>
  t === undefined ? undefined : sliceBatch(t, from, to);

/** Device results read back for the gated passes. */
const READER: GatedReader = { flat: (v, rows, cols) => flatten(read(v), rows, cols), steps: gatherSteps };

function flatten(r: Rows, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = r[i]![j]!;
  return out;
}

const DESCRIPTIONS: Record<GpujsMode, string> = {
  headlessgl: 'gpu.js kernels on WebGL through headless-gl (float32; starts Xvfb when DISPLAY is unset)',
  webasm: "gpu.js kernels on gpu.js's WebAssembly backend (float32, SIMD)",
  cpu: "gpu.js kernels on gpu.js's JavaScript backend (float32)",
};

function gpujsEntry(mode: GpujsMode): BackendEntry {
  return {
    name: `gpujs-${mode}`,
    precision: 'float32',
    validatesInput: true,
    cells: GPUJS_CELLS,
    description: DESCRIPTIONS[mode],
    availability: async () => {
      const reason = await unavailableReason(mode);
      return reason === undefined ? { available: true } : { available: false, reason };
    },
    create: (options?: object) => GpujsBackend.create({ ...(options as GpujsOptions | undefined), mode }),
    matmulProbe: async (n: number): Promise<MatmulProbe> => {
      const backend = await GpujsBackend.create({ mode });
      return backend.matmulProbe(n);
    },
  };
}

export const gpujsEntries: BackendEntry[] = GPUJS_MODES.map(gpujsEntry);
