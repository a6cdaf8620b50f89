import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAgreement } from '../src/check/properties.js';
import { seededRng, uniformTensor } from '../src/core/random.js';
import type { RnnCase } from '../src/check/arbitraries.js';
import { LoopsBackend } from '../src/backends/loops.js';
import { WorkersBackend } from '../src/backends/workers.js';
import { createBackend } from '../src/index.js';

function randomCase(B: number, T: number, F: number, H: number, seed = 1): RnnCase {
  const rng = seededRng(seed);
  return {
    B,
    T,
    F,
    H,
    activation: 'tanh',
    params: { wx: uniformTensor(rng, [F, H], 0.3), wh: uniformTensor(rng, [H, H], 0.2), b: uniformTensor(rng, [H]) },
    x: uniformTensor(rng, [B, T, F]),
    h0: uniformTensor(rng, [B, H]),
    dhs: uniformTensor(rng, [B, T, H]),
  };
}

const faultyWorker = fileURLToPath(new URL('./fixtures/faulty-worker.mjs', import.meta.url));

describe('the workers backend', () => {
  const reference = new LoopsBackend();
  const split = new WorkersBackend({ threads: 2, minParallelWork: 0 });
  afterAll(() => split.dispose());

  it('should split a batch into one task per thread and agree with loops to about 1e-12', async () => {
    const c = randomCase(9, 20, 16, 32);
    const before = split.completedTasks;
    await checkAgreement(split, reference, c); // forward once, backward once, each split in 2
    expect(split.completedTasks - before).toBe(4);
    const hs = await split.forward(c.params, c.x, { h0: c.h0 });
    const ref = await reference.forward(c.params, c.x, { h0: c.h0 });
    hs.data.forEach((v, i) =>
      expect(Math.abs(v - (ref.data[i] as number))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))),
    );
  });

  it.each([
    ['lstm', true],
    ['gru', true],
    ['gru', false],
  ] as const)(
    'should split a %s call (resetAfter %s) in two tasks and agree with loops on hs and every gradient',
    async (cell, resetAfter) => {
      const rng = seededRng(cell === 'lstm' ? 3 : resetAfter ? 4 : 5);
      const [B, T, F, H] = [5, 4, 3, 6];
      const G = (cell === 'lstm' ? 4 : 3) * H;
      const params = {
        wx: uniformTensor(rng, [F, G], 0.4),
        wh: uniformTensor(rng, [H, G], 0.4),
        b: uniformTensor(rng, [G], 0.5),
        ...(cell === 'gru' ? { bh: uniformTensor(rng, [G], 0.5) } : {}),
      };
      const x = uniformTensor(rng, [B, T, F]);
      const o = {
        cell,
        ...(cell === 'gru' ? { resetAfter } : {}),
        h0: uniformTensor(rng, [B, H]),
        ...(cell === 'lstm' ? { c0: uniformTensor(rng, [B, H]) } : {}),
      };
      const dhs = uniformTensor(rng, [B, T, H]);
      const before = split.completedTasks;
      const hs = await split.forward(params, x, o);
      const grads = await split.backward(params, x, hs, dhs, o);
      expect(split.completedTasks - before).toBe(4);
      const refHs = await reference.forward(params, x, o);
      const ref = await reference.backward(params, x, refHs, dhs, o);
      const close = (got: Float64Array | Float32Array, want: Float64Array | Float32Array) => {
        expect(got.length).toBe(want.length);
        got.forEach((v, i) =>
          expect(Math.abs(v - (want[i] as number))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))),
        );
      };
      close(hs.data, refHs.data);
      const keys = cell === 'lstm' ? ['wx', 'wh', 'b', 'x', 'h0', 'c0'] : ['wx', 'wh', 'b', 'bh', 'x', 'h0'];
      expect(Object.keys(grads).sort()).toEqual([...keys].sort());
      for (const k of keys) {
        const want = ref[k as keyof typeof ref];
        const got = grads[k as keyof typeof grads];
        expect(got?.shape).toEqual(want?.shape);
        close(got?.data ?? new Float64Array(0), want?.data ?? new Float64Array(1));
      }
    },
  );

  it('should run a call below minParallelWork in this thread', async () => {
    const small = new WorkersBackend({ threads: 2 });
    const c = randomCase(2, 3, 2, 4);
    await small.forward(c.params, c.x);
    expect(small.completedTasks).toBe(0);
    await small.dispose();
  });

  it("should reject a call whose task throws with the worker's message, and stay usable", async () => {
    const b = new WorkersBackend({ threads: 2, minParallelWork: 0, workerFile: faultyWorker });
    const bad = randomCase(4, 5, 3, 4);
    await expect(b.forward(bad.params, bad.x)).rejects.toThrow('faulty-worker: boom on T = 5');
    const good = randomCase(4, 6, 3, 4);
    await expect(checkAgreement(b, reference, good)).resolves.toBeUndefined();
    await b.dispose();
  });

  it('should settle a failed call only after its other chunks have finished with its inputs', async () => {
    const b = new WorkersBackend({ threads: 2, minParallelWork: 0, workerFile: faultyWorker });
    const c = randomCase(4, 9, 3, 4);
    await expect(b.forward(c.params, c.x)).rejects.toThrow('faulty-worker: chunk 0 fails on T = 9');
    expect(b.completedTasks).toBe(2); // piscina counts the failed task too; the slow one has finished
    await b.dispose();
  });

  it('should give every call its own inputs and results, also with calls in flight at the same time', async () => {
    const [c1, c2, c3] = [1, 2, 3].map((seed) => randomCase(8, 6, 5, 7, seed)) as [RnnCase, RnnCase, RnnCase];
    const expected = await Promise.all([c1, c2, c3].map((c) => reference.forward(c.params, c.x, { h0: c.h0 })));
    const first = await split.forward(c1.params, c1.x, { h0: c1.h0 });
    const kept = Float64Array.from(first.data);
    const concurrent = await Promise.all([c2, c3].map((c) => split.forward(c.params, c.x, { h0: c.h0 })));
    expect(first.data).toEqual(kept); // later calls reuse staging buffers, never an earlier result
    [first, ...concurrent].forEach((hs, k) =>
      hs.data.forEach((v, i) => expect(Math.abs(v - (expected[k]!.data[i] as number))).toBeLessThanOrEqual(1e-12)),
    );
    const grads = await Promise.all(
      [c1, c2].map((c, k) => split.backward(c.params, c.x, k === 0 ? first : concurrent[0]!, c.dhs, { h0: c.h0 })),
    );
    const refGrads = await Promise.all(
      [c1, c2].map(async (c) =>
        reference.backward(c.params, c.x, await reference.forward(c.params, c.x, { h0: c.h0 }), c.dhs, { h0: c.h0 }),
      ),
    );
    grads.forEach((g, k) =>
      (['wx', 'wh', 'b', 'x', 'h0'] as const).forEach((name) =>
        g[name].data.forEach((v, i) =>
          expect(Math.abs(v - (refGrads[k]![name].data[i] as number))).toBeLessThanOrEqual(1e-12),
        ),
      ),
    );
  });

  it('should reject the call in flight when a worker dies, and work on the next call', async () => {
    const b = new WorkersBackend({ threads: 2, minParallelWork: 0, workerFile: faultyWorker });
    const deadly = randomCase(4, 7, 3, 4);
    await expect(b.forward(deadly.params, deadly.x)).rejects.toThrow(/exit|terminat/i);
    const good = randomCase(4, 6, 3, 4);
    await expect(checkAgreement(b, reference, good)).resolves.toBeUndefined();
    await b.dispose();
  });

  it('should refuse bad options, naming the option and the fix', async () => {
    await expect(createBackend('workers', { threads: 0 })).rejects.toThrow(
      "createBackend('workers'): options.threads must be an integer >= 1; got 0",
    );
    await expect(createBackend('workers', { workerFile: '/nope.js' })).rejects.toThrow(
      /options\.workerFile must be an existing file \(run npm run build\); got "\/nope\.js"/,
    );
  });

  it('should let a process that disposed it exit by itself, with no handle left open', () => {
    const index = new URL('../dist/src/index.js', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(index)});
      const b = await m.createBackend('workers', { minParallelWork: 0 });
      const hs = await b.forward({ wx: m.zeros([2, 3]), wh: m.zeros([3, 3]), b: m.zeros([3]) }, m.zeros([4, 2, 2]));
      await b.dispose();
      console.log('disposed', hs.shape.join('x'));`;
    // A generous limit: this detects a hang (an open handle keeps the process alive), it times nothing.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe('disposed 4x2x3');
    expect(r.status).toBe(0);
  });
});
