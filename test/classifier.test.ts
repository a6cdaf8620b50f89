/**
 * ScratchSimpleRNNClassifier: the same training on every backend (a property of the harness), refusal of
 * bad input, saving and loading, the MNIST split, and the notebook's Problem 3 walked with the fixed
 * backward.
 */
import fc from 'fast-check';
import { it as prop } from '@fast-check/vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRng, uniformTensor } from '../src/core/random.js';
import { loadMnist } from '../src/data/mnist.js';
import { ScratchSimpleRNNClassifier } from '../src/model/classifier.js';
import { loadModel, saveModel } from '../src/model/persist.js';
import { createBackend, toleranceFor, type RnnBackend, type Tensor } from '../src/index.js';
import { PROBLEM2 } from '../src/fixtures/problem2.js';
import { availabilityOf, backendEntries } from '../src/registry/registry.js';

/** A small learnable task: the label is which third of [-1, 1] the mean of feature 0 falls in. */
function toyData(seed: number, n: number, T: number, F: number): { x: Tensor; y: number[] } {
  const x = uniformTensor(seededRng(seed), [n, T, F]);
  const y = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += x.data[(i * T + t) * F] as number;
    const m = s / T;
    return m < -0.15 ? 0 : m > 0.15 ? 2 : 1;
  });
  return { x, y };
}

const loops = await createBackend('loops');
const workers = await createBackend('workers', { minParallelWork: 0 });
afterAll(async () => {
  await loops.dispose();
  await workers.dispose();
});

async function trajectory(
  backend: RnnBackend,
  seed: number,
  data: { x: Tensor; y: number[] },
  nodes: number,
  optimizer: 'adam' | 'sgd',
) {
  const clf = new ScratchSimpleRNNClassifier({
    backend,
    nodes,
    epochs: 2,
    batchSize: 8,
    seed,
    optimizer,
    lr: optimizer === 'sgd' ? 0.1 : 0.01,
  });
  await clf.fit(data.x, data.y, { xVal: data.x, yVal: data.y });
  return { loss: clf.history.trainLoss, weights: clf.weights! };
}

describe('training on different backends (a property of the harness)', () => {
  prop.prop([fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 8 })], {
    numRuns: 8,
    seed: 21,
  })('should follow the same trajectory on loops and workers to 1e-12', async (seed, T, nodes) => {
    const data = toyData(seed, 40, T, 3);
    const a = await trajectory(loops, seed, data, nodes, 'adam');
    const b = await trajectory(workers, seed, data, nodes, 'adam');
    a.loss.forEach((v, i) => expect(Math.abs(v - b.loss[i]!)).toBeLessThanOrEqual(1e-12));
    for (const key of ['wx', 'wh', 'b', 'W', 'B'] as const)
      a.weights[key].forEach((v, i) => expect(Math.abs(v - b.weights[key][i]!)).toBeLessThanOrEqual(1e-12));
  });

  const float32 = backendEntries().filter((e) => e.name.startsWith('gpujs-'));
  it.each(float32.map((e) => ({ name: e.name, entry: e })))(
    'should stay within float32 tolerance on $name over a short run',
    async ({ entry }) => {
      const available = await availabilityOf(entry);
      if (!available.available) {
        expect(entry.name).toBe('gpujs-headlessgl'); // the gpujs suite asserts its reason
        return;
      }
      const backend = await entry.create();
      try {
        const [T, F, nodes] = [4, 3, 6];
        const data = toyData(3, 40, T, F);
        const a = await trajectory(loops, 3, data, nodes, 'sgd');
        const b = await trajectory(backend, 3, data, nodes, 'sgd');
        // Ten SGD steps, each off by at most the float32 tolerance of one call.
        const bound = 10 * toleranceFor('float32', { T, F, H: nodes }).atol;
        a.loss.forEach((v, i) =>
          expect(Math.abs(v - b.loss[i]!)).toBeLessThanOrEqual(bound * Math.max(1, Math.abs(v))),
        );
        a.weights.wh.forEach((v, i) => expect(Math.abs(v - b.weights.wh[i]!)).toBeLessThanOrEqual(bound));
      } finally {
        await backend.dispose();
      }
    },
  );
});

describe('bad input', () => {
  const clf = new ScratchSimpleRNNClassifier({ backend: loops, nodes: 3, epochs: 1 });
  const X = [
    [
      [0, 1],
      [1, 0],
    ],
    [
      [1, 1],
      [0, 0],
    ],
  ];

  it.each([
    [
      'ragged X',
      () =>
        clf.fit(
          [
            [
              [0, 1],
              [1, 0],
            ],
            [[1, 1]],
          ],
          [0, 1],
        ),
      'ScratchSimpleRNNClassifier.fit: X[1] must be 2 steps like X[0] (ragged input); got 1 steps',
    ],
    [
      'ragged features',
      () =>
        clf.fit(
          [
            [
              [0, 1],
              [1, 0],
            ],
            [[1, 1], [0]],
          ],
          [0, 1],
        ),
      'X[1][1] must be 2 features like X[0][0] (ragged input); got 1 features',
    ],
    ['an empty set', () => clf.fit([], []), 'ScratchSimpleRNNClassifier.fit: X must be a non-empty array of sequences'],
    [
      'a label out of range',
      () => clf.fit(X, [0, -1]),
      'ScratchSimpleRNNClassifier.fit: y[1] must be an integer >= 0; got -1',
    ],
    ['a non-integer label', () => clf.fit(X, [0, 0.5]), 'y[1] must be an integer >= 0; got 0.5'],
    [
      'too few labels',
      () => clf.fit(X, [0]),
      'ScratchSimpleRNNClassifier.fit: y.length must be 2 (one label per sample); got 1',
    ],
    [
      'NaN in X',
      () =>
        clf.fit(
          [
            [
              [0, NaN],
              [1, 0],
            ],
          ],
          [0],
        ),
      'X[0][0][1] must be a finite number; got NaN',
    ],
    ['xVal without yVal', () => clf.fit(X, [0, 1], { xVal: X }), 'xVal and yVal come together'],
    [
      'a validation label beyond the classes',
      () => clf.fit(X, [0, 1], { xVal: X, yVal: [0, 5] }),
      'yVal[1] must be an integer in [0, 1]; got 5',
    ],
  ])('should refuse %s', async (_what, act, message) => {
    await expect(act()).rejects.toThrow(message);
  });

  it('should refuse predict before fit, and a feature count that differs from fit', async () => {
    const fresh = new ScratchSimpleRNNClassifier({ backend: loops });
    await expect(fresh.predict(X)).rejects.toThrow(
      'ScratchSimpleRNNClassifier.predict: call fit() (or load a saved model) first',
    );
    await clf.fit(X, [0, 1]);
    await expect(
      clf.predict([
        [
          [0, 1, 2],
          [1, 0, 2],
        ],
      ]),
    ).rejects.toThrow(
      'ScratchSimpleRNNClassifier.predict: X must be sequences of 2 steps x 2 features, as in fit; got 2 steps x 3 features',
    );
  });

  it('should refuse bad options, naming them', () => {
    expect(() => new ScratchSimpleRNNClassifier({ nodes: 0 })).toThrow(
      'ScratchSimpleRNNClassifier: options.nodes must be an integer >= 1; got 0',
    );
    expect(() => new ScratchSimpleRNNClassifier({ optimizer: 'rmsprop' as 'sgd' })).toThrow(
      "options.optimizer must be 'adam', 'adagrad', 'sgd' or an Optimizer; got \"rmsprop\"",
    );
  });

  it('should leave X and y untouched', async () => {
    const x = uniformTensor(seededRng(4), [6, 3, 2]);
    const y = [0, 1, 2, 0, 1, 2];
    const before = [...x.data];
    await new ScratchSimpleRNNClassifier({ backend: loops, nodes: 4, epochs: 2, batchSize: 4 }).fit(x, y);
    expect([...x.data]).toEqual(before);
    expect(y).toEqual([0, 1, 2, 0, 1, 2]);
  });
});

describe('saving and loading', () => {
  it('should round-trip a model atomically, and refuse a wrong version, wrong shapes or non-finite numbers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-model-'));
    const data = toyData(8, 30, 3, 2);
    const clf = await new ScratchSimpleRNNClassifier({
      backend: loops,
      nodes: 5,
      epochs: 3,
      batchSize: 10,
      seed: 8,
    }).fit(data.x, data.y);
    const file = join(dir, 'model.json');
    await saveModel(clf, file);
    expect(await readdir(dir)).toEqual(['model.json']);
    const loaded = await loadModel(file, { backend: loops });
    expect(await loaded.predictProba(data.x)).toEqual(await clf.predictProba(data.x));

    const saved = JSON.parse(await readFile(file, 'utf8'));
    const variant = async (name: string, change: (m: typeof saved) => void) => {
      const m = structuredClone(saved);
      change(m);
      await writeFile(join(dir, name), JSON.stringify(m).replace('"__NaN__"', 'NaN'));
      return loadModel(join(dir, name));
    };
    await expect(variant('v2.json', (m) => (m.version = 2))).rejects.toThrow(/v2\.json: version must be 1; got 2/);
    await expect(variant('shape.json', (m) => m.weights.wh.pop())).rejects.toThrow(
      'weights.wh must have 25 numbers for F=2 H=5 K=3; got 24',
    );
    await expect(variant('nan.json', (m) => (m.weights.W[3] = null))).rejects.toThrow(
      'weights.W[3] must be a finite number; got null',
    );
    await expect(loadModel(join(dir, 'missing.json'))).rejects.toThrow(/could not read it as JSON/);
  });
});

describe('the MNIST split', () => {
  it('should give 8,000 and 2,000 digits, stratified, seeded and disjoint', async () => {
    const a = await loadMnist({ seed: 1 });
    expect([a.train.y.length, a.test.y.length]).toEqual([8000, 2000]);
    expect(a.train.x.shape).toEqual([8000, 28, 28]);
    const share = (y: Int32Array, d: number) => y.filter((v) => v === d).length / y.length;
    for (let d = 0; d < 10; d++) expect(Math.abs(share(a.train.y, d) - share(a.test.y, d))).toBeLessThan(0.002);
    const b = await loadMnist({ seed: 1 });
    expect(b.test.x.data.slice(0, 784 * 3)).toEqual(a.test.x.data.slice(0, 784 * 3));
    const c = await loadMnist({ seed: 2 });
    expect(c.test.x.data.slice(0, 784 * 3)).not.toEqual(a.test.x.data.slice(0, 784 * 3));
    const key = (x: Float64Array, i: number) => x.subarray(i * 784, (i + 1) * 784).join(',');
    const train = new Set(Array.from({ length: 8000 }, (_, i) => key(a.train.x.data as Float64Array, i)));
    const shared = Array.from({ length: 2000 }, (_, i) => key(a.test.x.data as Float64Array, i)).filter((k) =>
      train.has(k),
    );
    expect(shared.length).toBeLessThanOrEqual(5); // the package holds a few identical images
    expect(a.train.x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe("the notebook's Problem 3, walked with the fixed backward", () => {
  it('should reproduce Problem 2, then train the corrected classifier with SimpleInitializer and SGD', async () => {
    // 1. The notebook's forward pass, with its weights, on its x: the known answer.
    const p = {
      wx: { shape: [2, 4], data: Float64Array.from(PROBLEM2.wx.flat()) },
      wh: { shape: [4, 4], data: Float64Array.from(PROBLEM2.wh.flat()) },
      b: { shape: [4], data: Float64Array.from(PROBLEM2.b) },
    };
    const x = { shape: [1, 3, 2], data: Float64Array.from(PROBLEM2.x.flat(2)) };
    const hs = await loops.forward(p, x);
    [...hs.data.slice(-4)].forEach((v, i) => expect(v).toBeCloseTo(PROBLEM2.expectedLastH[i]!, 8));
    // 2. The fixed backward gives a gradient at every step (the notebook's reused the last step's dA).
    const dhs = { shape: [1, 3, 4], data: Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]) };
    const g = await loops.backward(p, x, hs, dhs);
    expect([...g.x.data.slice(0, 2)].some((v) => v !== 0)).toBe(true);
    // 3. The classifier with the notebook's pieces (SimpleInitializer, SGD, Tanh) learns a toy task.
    const data = toyData(12, 120, 3, 2);
    const clf = new ScratchSimpleRNNClassifier({
      backend: loops,
      nodes: 4,
      initializer: 'simple',
      optimizer: 'sgd',
      lr: 0.5,
      epochs: 60,
      batchSize: 12,
      seed: 12,
    });
    await clf.fit(data.x, data.y);
    const losses = clf.history.trainLoss;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    expect(await clf.score(data.x, data.y)).toBeGreaterThan(0.85);
  });
});
