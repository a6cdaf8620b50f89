/**
 * The engine behind `tfjs-cpu` and `tfjs-wasm` (their entries are in ./tfjs.ts, which loads this file only
 * when a tfjs backend is used). TensorFlow.js's own SimpleRNN layer (tf.layers.simpleRNN) wrapped as a
 * backend, so the harness verifies a third-party RNN. Forward is the layer with returnSequences and an
 * initial state; backward is tfjs's autodiff (tf.variableGrads) of Σ dhs ⊙ layer(x) with respect to the
 * layer's weights, x and h0, so it recomputes the forward pass and does not read the hs it is given.
 *
 * Weight layout: tfjs computes h_t = f(x_t·kernel + h_{t-1}·recurrentKernel + bias) with kernel [F,H],
 * recurrentKernel [H,H] and bias [H], which is exactly wx, wh and b of the contract: no transposition.
 * tfjs works in float32, so these backends are float32.
 *
 * Known tfjs defect (tfjs 4.22, tensorflow/tfjs#8255, fix proposed in #8506): the gradient of an RNN
 * layer over a single time step throws "Argument tensors passed to stack must be a `Tensor[]`". By default
 * the adapter then differentiates over x padded with a second, zero step whose upstream gradient is zero:
 * that step's da is zero, so every gradient of the first step is exactly that of the T = 1 problem. Pass
 * `{ padSingleStep: false }` to see tfjs's own behaviour.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { MatmulProbe } from '../registry/types.js';
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
import type { Cell } from '../core/kinds.js';
import { contractGruGradients, gruResetAfter, kerasGruWeights } from './tfjs-gru.js';

import type { TfjsEngine as Engine, TfjsOptions } from './tfjs-options.js';

// Production mode: no per-op debug checks, and no "install tfjs-node" banner on first use.
tf.enableProdMode();

let wasmLoaded: Promise<void> | undefined;
/**
 * Loads the wasm backend package (only tfjs-wasm needs it) and points it at the .wasm files shipped in
 * the package, so nothing is fetched.
 */
function useLocalWasm(): Promise<void> {
  return (wasmLoaded ??= import('@tensorflow/tfjs-backend-wasm').then(({ setWasmPaths }) => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  }));
}

/**
 * tfjs has one global backend. Every piece of tfjs work runs through this queue: switch to `engine`, then
 * run `work` synchronously, so two backends (or two calls) never interleave on the wrong engine.
 */
let queue: Promise<unknown> = Promise.resolve();
function withEngine<T>(engine: Engine, work: () => T): Promise<T> {
  const run = queue.then(async () => {
    if (engine === 'wasm') await useLocalWasm();
    if (tf.getBackend() !== engine && !(await tf.setBackend(engine))) {
      throw new Error(`tfjs could not initialise its '${engine}' backend on this machine`);
    }
    return work();
  });
  queue = run.catch(() => undefined);
  return run;
}

const toTf = (t: Tensor) => tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');
/** A float64 copy of a tfjs tensor, which is then disposed. */
function take(t: tf.Tensor): Tensor {
  const out = { shape: [...t.shape], data: Float64Array.from(t.dataSync()) };
  t.dispose();
  return out;
}

/** Layers kept per backend, one per (F, H, activation); the least recently used goes first. */
export const MAX_LAYERS = 8;

export class TfjsBackend implements RnnBackend {
  readonly precision = 'float32';
  readonly name: string;
  /**
   * tf.layers.simpleRNN, tf.layers.lstm (whose gate order i, f, c, o is the contract's), tf.layers.gru for
   * the reset before the product and TensorFlow.js's ops for the reset after it (tfjs-gru.ts).
   */
  readonly cells: readonly Cell[] = ['rnn', 'lstm', 'gru'];
  readonly gruResetBefore = true;
  /** One layer per (F, H, activation), reused across calls (at most MAX_LAYERS); its weights are set on every call. */
  private readonly layers = new Map<string, tf.layers.Layer>();

  private readonly padSingleStep: boolean;

  constructor(
    private readonly engine: Engine,
    options: TfjsOptions = {},
  ) {
    this.name = `tfjs-${engine}`;
    this.padSingleStep = options.padSingleStep ?? true;
  }

  private layerFor(call: CheckedCall, p: RnnParams): tf.layers.Layer {
    const key = `${call.cell}:${call.F}x${call.H}x${call.activation}`;
    let layer = this.layers.get(key);
    if (layer !== undefined) {
      this.layers.delete(key); // most recently used last
    } else {
      // A few layers are kept, the least recently used disposed: a long fuzz campaign meets many (F, H).
      if (this.layers.size >= MAX_LAYERS) {
        const [oldest, old] = this.layers.entries().next().value as [string, tf.layers.Layer];
        this.layers.delete(oldest);
        old.dispose();
      }
      // The weights are set on every call; an orthogonal start (the default) costs an SVD and a console
      // warning above 2000 numbers.
      const common = {
        units: call.H,
        returnSequences: true,
        useBias: true,
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      } as const;
      // tfjs's LSTM and GRU gates default to the hard sigmoid; the contract's are the logistic sigmoid.
      layer =
        call.cell === 'lstm'
          ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
          : call.cell === 'gru'
            ? tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
            : tf.layers.simpleRNN({ ...common, activation: call.activation });
      const built = layer;
      tf.tidy(() => void built.apply(tf.zeros([1, 1, call.F]))); // builds the layer's weights; its output is not kept
    }
    this.layers.set(key, layer);
    const weights =
      call.cell === 'gru'
        ? kerasGruWeights(p, call.H).map((d, i) => ({ shape: [p.wx, p.wh, p.b][i]!.shape, data: d }))
        : [p.wx, p.wh, p.b];
    tf.tidy(() => (layer as tf.layers.Layer).setWeights(weights.map(toTf)));
    return layer;
  }

  /** The layer's initial states: [h0] for the SimpleRNN, [h0, c0] for the LSTM (zeros when not given). */
  private initialStates(call: CheckedCall): tf.Tensor[] {
    const state = (t: Tensor | undefined) => (t ? toTf(t) : tf.zeros([call.B, call.H]));
    return call.cell === 'lstm' ? [state(call.h0), state(call.c0)] : [state(call.h0)];
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const call = checkForward(`${this.name}.forward`, p, x, o);
    return withEngine(this.engine, () => {
      if (call.cell === 'gru' && call.resetAfter)
        return take(
          tf.tidy(() => {
            const [h0] = this.initialStates(call) as [tf.Tensor];
            return gruResetAfter(toTf(x), h0, toTf(p.wx), toTf(p.wh), toTf(p.b), toTf(p.bh as Tensor));
          }),
        );
      const layer = this.layerFor(call, p);
      const hs = tf.tidy(() => layer.apply(toTf(x), { initialState: this.initialStates(call) }) as tf.Tensor);
      return take(hs);
    });
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const call = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    if (call.cell === 'gru' && call.resetAfter)
      return withEngine(this.engine, () => gruAfterGradients(call, p, x, dhs));
    return withEngine(this.engine, () => {
      const layer = this.layerFor(call, p);
      // tensorflow/tfjs#8255: pad a single step with a zero step that receives no upstream gradient.
      const pad = this.padSingleStep && call.T === 1;
      const padded = (t: Tensor, width: number) =>
        tf.tidy(() => (pad ? tf.concat([toTf(t), tf.zeros([call.B, 1, width])], 1) : toTf(t)));
      const x0 = padded(x, call.F);
      const states = this.initialStates(call);
      const xv = tf.variable(x0, true);
      const stateVars = states.map((t) => tf.variable(t, true));
      tf.dispose([x0, ...states]); // the variables keep their own reference to the data
      try {
        const [kernel, recurrent, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable) as [
          tf.Variable,
          tf.Variable,
          tf.Variable,
        ];
        const order = [kernel, recurrent, bias, xv, ...stateVars];
        const grads = tf.tidy(() => {
          const dhsT = padded(dhs, call.H);
          const { grads: byName } = tf.variableGrads(
            () => tf.sum(tf.mul(layer.apply(xv, { initialState: stateVars }) as tf.Tensor, dhsT)) as tf.Scalar,
            order,
          );
          const g = order.map((v) => byName[v.name] as tf.Tensor);
          if (pad) g[3] = tf.slice(g[3] as tf.Tensor, [0, 0, 0], [call.B, 1, call.F]);
          return g;
        });
        const [wx, wh, b, dx, dh0, dc0] = grads.map(take) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor?];
        if (call.cell === 'gru') {
          // The layer's one bias is b + bh: its gradient is both; its blocks back in the contract's order.
          const [gx, gh, gb] = contractGruGradients([wx.data, wh.data, b.data], call.H) as [
            Float64Array,
            Float64Array,
            Float64Array,
          ];
          const t = (like: Tensor, data: Float64Array) => ({ shape: like.shape, data });
          return { wx: t(wx, gx), wh: t(wh, gh), b: t(b, gb), bh: t(b, gb.slice()), x: dx, h0: dh0 };
        }
        return { wx, wh, b, x: dx, h0: dh0, ...(dc0 === undefined ? {} : { c0: dc0 }) };
      } finally {
        xv.dispose();
        for (const v of stateVars) v.dispose();
      }
    });
  }

  async dispose(): Promise<void> {
    for (const layer of this.layers.values()) layer.dispose();
    this.layers.clear();
  }
}

/** The gradients of the GRU with the reset after the product, by tf.variableGrads through tfjs-gru.ts's ops. */
function gruAfterGradients(call: CheckedCall, p: RnnParams, x: Tensor, dhs: Tensor): RnnGradients {
  const h0 = call.h0 ? toTf(call.h0) : tf.zeros([call.B, call.H]);
  const inputs = [toTf(p.wx), toTf(p.wh), toTf(p.b), toTf(p.bh as Tensor), toTf(x), h0];
  const vars = inputs.map((t) => tf.variable(t, true));
  tf.dispose(inputs);
  try {
    const grads = tf.tidy(() => {
      const [wx, wh, b, bh, xv, h0v] = vars as [
        tf.Variable,
        tf.Variable,
        tf.Variable,
        tf.Variable,
        tf.Variable,
        tf.Variable,
      ];
      const { grads: byName } = tf.variableGrads(
        () => tf.sum(tf.mul(gruResetAfter(xv, h0v, wx, wh, b, bh), toTf(dhs))) as tf.Scalar,
        vars,
      );
      return vars.map((v) => byName[v.name] as tf.Tensor);
    });
    const [wx, wh, b, bh, dx, dh0] = grads.map(take) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    return { wx, wh, b, bh, x: dx, h0: dh0 };
  } finally {
    for (const v of vars) v.dispose();
  }
}

/** Resolves once tfjs's `engine` backend has started here; rejects with tfjs's reason otherwise. */
export const startEngine = (engine: Engine): Promise<void> => withEngine(engine, () => undefined);

/** A 512x512-style tf.matMul on `engine`, for the benchmark's machine limit. */
export async function tfjsMatmulProbe(engine: Engine, n: number): Promise<MatmulProbe> {
  const [a, b] = await withEngine(engine, () => [
    tf.randomUniform([n, n], -0.5, 0.5, 'float32', 1),
    tf.randomUniform([n, n], -0.5, 0.5, 'float32', 2),
  ]);
  return {
    engine: `tfjs ${engine} tf.matMul (float32)`,
    multiply: () =>
      withEngine(engine, () => {
        const c = tf.matMul(a!, b!);
        c.dataSync();
        c.dispose();
      }),
    dispose: () => withEngine(engine, () => tf.dispose([a!, b!])),
  };
}
