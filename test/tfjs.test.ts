import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MAX_LAYERS } from '../src/backends/tfjs-engine.js';
import { seededRng, uniformTensor } from '../src/core/random.js';
import { createBackend, listBackends } from '../src/index.js';

describe('the TensorFlow.js peers', () => {
  it('should both be available offline (wasm files from the package)', async () => {
    const list = await listBackends();
    expect(list).toContainEqual(expect.objectContaining({ name: 'tfjs-cpu', precision: 'float32', available: true }));
    expect(list).toContainEqual(expect.objectContaining({ name: 'tfjs-wasm', precision: 'float32', available: true }));
  });

  it.each(['tfjs-cpu', 'tfjs-wasm'])(
    'should hold a bounded number of tensors on %s however many shapes it meets (tf.memory)',
    async (name) => {
      const b = await createBackend(name);
      const rng = seededRng(13);
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      for (let i = 0; i < 40; i++) {
        const [B, T, F, H] = [1 + (i % 3), 1 + (i % 4), 1 + (i % 7), 1 + ((i * 3) % 11)];
        const p = { wx: uniformTensor(rng, [F, H]), wh: uniformTensor(rng, [H, H]), b: uniformTensor(rng, [H]) };
        const x = uniformTensor(rng, [B, T, F]);
        const hs = await b.forward(p, x);
        await b.backward(p, x, hs, uniformTensor(rng, [B, T, H]));
        counts.push(tf.memory().numTensors - before);
      }
      // Each kept layer holds its three weights; tfjs keeps a few constants of its own on first use.
      expect(Math.max(...counts)).toBeLessThanOrEqual(3 * MAX_LAYERS + 8);
      expect(counts.at(-1)).toBe(counts[20]);
      await b.dispose();
    },
  );

  // tensorflow/tfjs#8255: while this test passes, tfjs still throws on the gradient of a one-step RNN and
  // the adapter's padding workaround (src/backends/tfjs.ts) is needed. When it fails, tfjs has fixed it.
  it.each(['tfjs-cpu', 'tfjs-wasm'])('should still need the T = 1 workaround on %s (tfjs#8255)', async (name) => {
    const raw = await createBackend(name, { padSingleStep: false });
    const rng = seededRng(5);
    const p = { wx: uniformTensor(rng, [2, 3]), wh: uniformTensor(rng, [3, 3]), b: uniformTensor(rng, [3]) };
    const x = uniformTensor(rng, [2, 1, 2]);
    const hs = await raw.forward(p, x);
    await expect(raw.backward(p, x, hs, uniformTensor(rng, [2, 1, 3]))).rejects.toThrow(/stack must be a `Tensor\[\]`/);
    await raw.dispose();
  });
});
