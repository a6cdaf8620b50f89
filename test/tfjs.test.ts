import { describe, expect, it } from 'vitest';
import { seededRng, uniformTensor } from '../src/check/random.js';
import { createBackend, listBackends } from '../src/index.js';

describe('the TensorFlow.js peers', () => {
  it('should both be available offline (wasm files from the package)', async () => {
    const list = await listBackends();
    expect(list).toContainEqual(expect.objectContaining({ name: 'tfjs-cpu', precision: 'float32', available: true }));
    expect(list).toContainEqual(expect.objectContaining({ name: 'tfjs-wasm', precision: 'float32', available: true }));
  });

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
