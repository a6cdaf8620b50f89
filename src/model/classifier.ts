/**
 * The notebook's ScratchSimpleRNNClassifier, made real: a SimpleRNN on any registered backend, a dense
 * layer on its last hidden state, softmax cross-entropy; seeded initialization and mini-batches, an
 * optimizer, gradient clipping by global norm. Weights are float64 and owned here; the backend only
 * computes the RNN's forward and backward.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { seededRng, type Rng } from '../core/random.js';
import { describeValue, invalidArgument, RnnInputError } from '../core/errors.js';
import { createBackend } from '../registry/registry.js';
import type { Activation, RnnBackend, RnnParams } from '../core/rnn.js';
import { checkLabels, flattenX, type Labels, type Sequences } from './data-checks.js';
import { denseBackward, denseForward, softmax, softmaxCrossEntropy } from './dense.js';
import { HeInitializer, SimpleInitializer, XavierInitializer, type Initializer } from './initializers.js';
import { AdaGrad, Adam, clipByGlobalNorm, SGD, type Optimizer } from './optimizers.js';

/**
 * The classifier's options: units, backend, activation, initializer, optimizer, learning rate, batches, epochs, seed.
 */
export type ClassifierOptions = {
  /** Hidden units H (default 256). */
  nodes?: number;
  /** A registered backend's name, or a backend (default 'workers'; the classifier disposes only what it created). */
  backend?: string | RnnBackend;
  activation?: Activation;
  /** 'xavier' (default), 'he', 'simple' (sigma 0.01) or an Initializer. */
  initializer?: 'xavier' | 'he' | 'simple' | Initializer;
  /** 'adam' (default), 'adagrad', 'sgd' or an Optimizer; lr applies to the named ones. */
  optimizer?: 'adam' | 'adagrad' | 'sgd' | Optimizer;
  lr?: number;
  batchSize?: number;
  epochs?: number;
  seed?: number;
  /** Largest global gradient norm (default 5; Infinity turns clipping off). */
  clipNorm?: number;
  /** The learning rate is lr · lrDecay^epoch (default 0.88; 1 keeps it constant). */
  lrDecay?: number;
  /** true prints a line per epoch; a function receives it instead. */
  verbose?: boolean | ((line: string) => void);
};

export type Weights = { wx: Float64Array; wh: Float64Array; b: Float64Array; W: Float64Array; B: Float64Array };
export type Dims = { T: number; F: number; H: number; K: number };
/** The classifier's training history: the loss and accuracy of every epoch. */
export type History = { trainLoss: number[]; valLoss: number[]; valAccuracy: number[]; seconds: number[] };

/** The classifier's defaults: 256 tanh units on workers, Xavier initialization, Adam, 14 epochs. */
export const CLASSIFIER_DEFAULTS = {
  nodes: 256,
  backend: 'workers',
  activation: 'tanh',
  initializer: 'xavier',
  optimizer: 'adam',
  lr: 0.001,
  batchSize: 32,
  epochs: 14,
  seed: 0,
  clipNorm: 5,
  lrDecay: 0.88,
} as const;

function posInt(arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw invalidArgument('ScratchSimpleRNNClassifier', `options.${arg}`, 'an integer >= 1', describeValue(v));
  return v;
}

/** The notebook's classifier: a SimpleRNN on any backend, a dense layer on its last state, softmax cross-entropy. */
export class ScratchSimpleRNNClassifier {
  readonly nodes: number;
  readonly activation: Activation;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  readonly clipNorm: number;
  readonly lr: number;
  readonly lrDecay: number;
  readonly initializer: Initializer;
  readonly optimizer: Optimizer;
  history: History = { trainLoss: [], valLoss: [], valAccuracy: [], seconds: [] };
  weights: Weights | undefined;
  dims: Dims | undefined;
  private backend: RnnBackend | undefined;
  private readonly backendChoice: string | RnnBackend;
  private readonly log: ((line: string) => void) | undefined;

  constructor(o: ClassifierOptions = {}) {
    const d = CLASSIFIER_DEFAULTS;
    this.nodes = posInt('nodes', o.nodes ?? d.nodes);
    this.batchSize = posInt('batchSize', o.batchSize ?? d.batchSize);
    this.epochs = posInt('epochs', o.epochs ?? d.epochs);
    this.seed = o.seed ?? d.seed;
    if (!Number.isSafeInteger(this.seed))
      throw invalidArgument('ScratchSimpleRNNClassifier', 'options.seed', 'an integer', describeValue(o.seed));
    this.activation = o.activation ?? d.activation;
    if (this.activation !== 'tanh' && this.activation !== 'relu')
      throw invalidArgument(
        'ScratchSimpleRNNClassifier',
        'options.activation',
        "'tanh' or 'relu'",
        describeValue(o.activation),
      );
    this.clipNorm = o.clipNorm ?? d.clipNorm;
    if (!(this.clipNorm > 0))
      throw invalidArgument(
        'ScratchSimpleRNNClassifier',
        'options.clipNorm',
        'a number > 0 (Infinity: no clipping)',
        describeValue(o.clipNorm),
      );
    const opt = o.optimizer ?? d.optimizer;
    this.lr = o.lr ?? (typeof opt === 'object' ? opt.lr : d.lr);
    this.lrDecay = o.lrDecay ?? d.lrDecay;
    if (!(this.lrDecay > 0 && this.lrDecay <= 1))
      throw invalidArgument(
        'ScratchSimpleRNNClassifier',
        'options.lrDecay',
        'a number in (0, 1]',
        describeValue(o.lrDecay),
      );
    const init = o.initializer ?? d.initializer;
    this.initializer =
      typeof init === 'object'
        ? init
        : init === 'xavier'
          ? new XavierInitializer()
          : init === 'he'
            ? new HeInitializer()
            : init === 'simple'
              ? new SimpleInitializer()
              : badChoice('initializer', init, "'xavier', 'he', 'simple' or an Initializer");
    this.optimizer =
      typeof opt === 'object'
        ? opt
        : opt === 'adam'
          ? new Adam(this.lr)
          : opt === 'adagrad'
            ? new AdaGrad(this.lr)
            : opt === 'sgd'
              ? new SGD(this.lr)
              : badChoice('optimizer', opt, "'adam', 'adagrad', 'sgd' or an Optimizer");
    this.backendChoice = o.backend ?? d.backend;
    this.log = o.verbose === true ? (l) => console.log(l) : typeof o.verbose === 'function' ? o.verbose : undefined;
  }

  /** The backend, created on first use. */
  async getBackend(): Promise<RnnBackend> {
    this.backend ??=
      typeof this.backendChoice === 'string' ? await createBackend(this.backendChoice) : this.backendChoice;
    return this.backend;
  }

  /** Trains from fresh weights; records trainLoss (and valLoss, valAccuracy with validation data) per epoch. */
  async fit(X: Sequences, y: Labels, val: { xVal?: Sequences; yVal?: Labels } = {}): Promise<this> {
    const x = flattenX('ScratchSimpleRNNClassifier.fit', 'X', X);
    const labels = checkLabels('ScratchSimpleRNNClassifier.fit', 'y', y, x.n);
    // Classes 0 … max label (at least two).
    const dims: Dims = {
      T: x.T,
      F: x.F,
      H: this.nodes,
      K: Math.max(2, labels.reduce((m, v) => Math.max(m, v), 0) + 1),
    };
    let xv: ReturnType<typeof flattenX> | undefined, yv: Int32Array | undefined;
    if ((val.xVal === undefined) !== (val.yVal === undefined))
      throw new RnnInputError('ScratchSimpleRNNClassifier.fit: xVal and yVal come together; got only one of them');
    if (val.xVal !== undefined && val.yVal !== undefined) {
      xv = flattenX('ScratchSimpleRNNClassifier.fit', 'xVal', val.xVal);
      if (xv.T !== dims.T || xv.F !== dims.F)
        throw invalidArgument(
          'ScratchSimpleRNNClassifier.fit',
          'xVal',
          `sequences of ${dims.T} steps x ${dims.F} features like X`,
          `${xv.T} x ${xv.F}`,
        );
      yv = checkLabels('ScratchSimpleRNNClassifier.fit', 'yVal', val.yVal, xv.n, dims.K);
    }
    const rng = seededRng(this.seed);
    this.dims = dims;
    this.weights = this.initialWeights(rng, dims);
    this.history = { trainLoss: [], valLoss: [], valAccuracy: [], seconds: [] };
    const backend = await this.getBackend();
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      const start = performance.now();
      this.optimizer.lr = this.lr * this.lrDecay ** epoch;
      let lossSum = 0;
      for (const batch of batches(rng, x.n, this.batchSize))
        lossSum += (await this.step(backend, x.data, labels, batch)) * batch.length;
      this.history.trainLoss.push(lossSum / x.n);
      let line = `epoch ${epoch + 1}/${this.epochs}  train loss ${(lossSum / x.n).toFixed(4)}`;
      if (xv !== undefined && yv !== undefined) {
        const probs = await this.probabilities(xv.data, xv.n);
        const { loss, accuracy } = evaluate(probs, yv, dims.K);
        this.history.valLoss.push(loss);
        this.history.valAccuracy.push(accuracy);
        line += `  val loss ${loss.toFixed(4)}  val accuracy ${accuracy.toFixed(4)}`;
      }
      const seconds = (performance.now() - start) / 1000;
      this.history.seconds.push(seconds);
      this.log?.(`${line}  ${seconds.toFixed(1)} s`);
    }
    return this;
  }

  private initialWeights(rng: Rng, d: Dims): Weights {
    const i = this.initializer;
    return {
      wx: i.W(rng, d.F, d.H),
      wh: i.W(rng, d.H, d.H),
      b: i.B(rng, d.H),
      W: i.W(rng, d.H, d.K),
      B: i.B(rng, d.K),
    };
  }

  private rnnParams(): RnnParams {
    const { wx, wh, b } = this.weights as Weights;
    const { F, H } = this.dims as Dims;
    return { wx: { shape: [F, H], data: wx }, wh: { shape: [H, H], data: wh }, b: { shape: [H], data: b } };
  }

  /** One mini-batch: forward, loss, backward, clip, update. Returns the batch's mean loss. */
  private async step(backend: RnnBackend, X: Float64Array, labels: Int32Array, batch: number[]): Promise<number> {
    const { T, F, H, K } = this.dims as Dims;
    const w = this.weights as Weights;
    const n = batch.length;
    const xb = new Float64Array(n * T * F);
    const yb = new Int32Array(n);
    batch.forEach((s, r) => {
      xb.set(X.subarray(s * T * F, (s + 1) * T * F), r * T * F);
      yb[r] = labels[s]!;
    });
    const p = this.rnnParams();
    const x = { shape: [n, T, F], data: xb };
    const o = { activation: this.activation };
    const hs = await backend.forward(p, x, o);
    const last = lastStep(hs.data, n, T, H);
    const z = denseForward(last, n, H, w.W, w.B, K);
    const { loss, dz } = softmaxCrossEntropy(z, yb, n, K);
    const { dW, db: dB, dh } = denseBackward(last, n, H, w.W, dz, K);
    const dhs = new Float64Array(n * T * H);
    for (let r = 0; r < n; r++) dhs.set(dh.subarray(r * H, (r + 1) * H), (r * T + T - 1) * H);
    const g = await backend.backward(p, x, hs, { shape: [n, T, H], data: dhs }, o);
    const grads = {
      wx: Float64Array.from(g.wx.data),
      wh: Float64Array.from(g.wh.data),
      b: Float64Array.from(g.b.data),
      W: dW,
      B: dB,
    };
    clipByGlobalNorm(Object.values(grads), this.clipNorm);
    for (const key of ['wx', 'wh', 'b', 'W', 'B'] as const) this.optimizer.update(key, w[key], grads[key]);
    return loss;
  }

  /** Class probabilities [n, K], in batches. */
  private async probabilities(X: Float64Array, n: number): Promise<Float64Array> {
    const { T, F, H, K } = this.dims as Dims;
    const w = this.weights as Weights;
    const backend = await this.getBackend();
    const out = new Float64Array(n * K);
    const size = 256;
    for (let s = 0; s < n; s += size) {
      const m = Math.min(size, n - s);
      const hs = await backend.forward(
        this.rnnParams(),
        { shape: [m, T, F], data: X.subarray(s * T * F, (s + m) * T * F) },
        { activation: this.activation },
      );
      out.set(softmax(denseForward(lastStep(hs.data, m, T, H), m, H, w.W, w.B, K), m, K), s * K);
    }
    return out;
  }

  private fitted(fn: string, X: Sequences) {
    if (this.weights === undefined || this.dims === undefined)
      throw new RnnInputError(`ScratchSimpleRNNClassifier.${fn}: call fit() (or load a saved model) first`);
    const x = flattenX(`ScratchSimpleRNNClassifier.${fn}`, 'X', X);
    if (x.F !== this.dims.F || x.T !== this.dims.T) {
      throw invalidArgument(
        `ScratchSimpleRNNClassifier.${fn}`,
        'X',
        `sequences of ${this.dims.T} steps x ${this.dims.F} features, as in fit`,
        `${x.T} steps x ${x.F} features`,
      );
    }
    return x;
  }

  /** Probabilities per class, one row per sample. */
  async predictProba(X: Sequences): Promise<number[][]> {
    const x = this.fitted('predictProba', X);
    const K = (this.dims as Dims).K;
    const p = await this.probabilities(x.data, x.n);
    return Array.from({ length: x.n }, (_, i) => Array.from(p.subarray(i * K, (i + 1) * K)));
  }

  async predict(X: Sequences): Promise<number[]> {
    const x = this.fitted('predict', X);
    const K = (this.dims as Dims).K;
    const p = await this.probabilities(x.data, x.n);
    return Array.from({ length: x.n }, (_, i) => argmax(p, i * K, K));
  }

  /** Accuracy on (X, y). */
  async score(X: Sequences, y: Labels): Promise<number> {
    const x = this.fitted('score', X);
    const labels = checkLabels('ScratchSimpleRNNClassifier.score', 'y', y, x.n);
    const p = await this.probabilities(x.data, x.n);
    return evaluate(p, labels, (this.dims as Dims).K).accuracy;
  }

  /** Disposes the backend if the classifier created it. */
  async dispose(): Promise<void> {
    if (this.backend !== undefined && typeof this.backendChoice === 'string') await this.backend.dispose();
    this.backend = undefined;
  }
}

function badChoice(arg: string, v: unknown, expected: string): never {
  throw invalidArgument('ScratchSimpleRNNClassifier', `options.${arg}`, expected, describeValue(v));
}

/** The seeded mini-batch iterator: a Fisher–Yates shuffle of 0..n-1 per epoch, cut into batches. */
export function* batches(rng: Rng, n: number, size: number): Generator<number[]> {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let s = 0; s < n; s += size) yield order.slice(s, s + size);
}

function lastStep(hs: ArrayLike<number>, n: number, T: number, H: number): Float64Array {
  const out = new Float64Array(n * H);
  for (let r = 0; r < n; r++) for (let j = 0; j < H; j++) out[r * H + j] = hs[(r * T + T - 1) * H + j]!;
  return out;
}

function argmax(p: Float64Array, off: number, K: number): number {
  let best = 0;
  for (let j = 1; j < K; j++) if (p[off + j]! > p[off + best]!) best = j;
  return best;
}

/** Mean cross-entropy (of the probabilities, floored at 1e-300) and accuracy. */
export function evaluate(p: Float64Array, y: Int32Array, K: number): { loss: number; accuracy: number } {
  let loss = 0,
    hits = 0;
  for (let i = 0; i < y.length; i++) {
    loss -= Math.log(Math.max(p[i * K + y[i]!]!, 1e-300));
    if (argmax(p, i * K, K) === y[i]) hits++;
  }
  return { loss: loss / y.length, accuracy: hits / y.length };
}
