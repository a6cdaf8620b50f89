/** src/model/: initializers, activations, optimizers, clipping, the dense head and softmax cross-entropy. */
import { describe, expect, it, vi } from 'vitest';
import { seededRng } from '../src/core/random.js';
import { ReLU, Tanh } from '../src/model/activations.js';
import { denseBackward, denseForward, softmaxCrossEntropy } from '../src/model/dense.js';
import { HeInitializer, SimpleInitializer, XavierInitializer } from '../src/model/initializers.js';
import { AdaGrad, Adam, clipByGlobalNorm, SGD } from '../src/model/optimizers.js';

const std = (a: Float64Array) => {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
};

/** Central differences of a scalar function of one array. */
function numeric(f: () => number, a: Float64Array, h = 1e-6): Float64Array {
  return a.map((v, i) => {
    a[i] = v + h;
    const up = f();
    a[i] = v - h;
    const down = f();
    a[i] = v;
    return (up - down) / (2 * h);
  });
}

describe('initializers', () => {
  it('should draw N(0, sigma²), N(0, 1/nIn) and N(0, 2/nIn) from the seed alone, never Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    const simple = new SimpleInitializer(0.5).W(seededRng(1), 100, 100);
    const xavier = new XavierInitializer().W(seededRng(1), 64, 200);
    const he = new HeInitializer().W(seededRng(1), 32, 300);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect(std(simple)).toBeCloseTo(0.5, 1);
    expect(Math.abs(std(xavier) - 1 / 8) / (1 / 8)).toBeLessThan(0.05);
    expect(Math.abs(std(he) - 0.25) / 0.25).toBeLessThan(0.05);
    expect([...new SimpleInitializer(0.5).W(seededRng(1), 100, 100)]).toEqual([...simple]);
    expect([...new SimpleInitializer(0.5).W(seededRng(2), 100, 100)]).not.toEqual([...simple]);
    expect([...new XavierInitializer().B(seededRng(1), 3)]).toEqual([0, 0, 0]);
  });

  it('should refuse a sigma that is not a positive number', () => {
    expect(() => new SimpleInitializer(0)).toThrow('SimpleInitializer: sigma must be a finite number > 0; got 0');
  });
});

describe('Tanh and ReLU', () => {
  it.each([{ act: new Tanh() }, { act: new ReLU() }])(
    'should give the derivative of $act.name in backward',
    ({ act }) => {
      const a = Float64Array.from([-2, -0.3, 0.4, 1.7]);
      const w = Float64Array.from([0.5, -1, 2, 0.25]);
      const f = () => act.forward(a).reduce((s, z, i) => s + z * w[i]!, 0);
      const expected = numeric(f, a);
      act.forward(a);
      const got = act.backward(w);
      got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 8));
      expect(() => new Tanh().backward(w)).toThrow('Tanh.backward: backward needs a forward of the same size first');
    },
  );
});

describe('optimizers', () => {
  it('should take the textbook first steps', () => {
    const g = Float64Array.from([0.5, -2]);
    const p1 = Float64Array.from([1, 1]);
    new SGD(0.1).update('w', p1, g);
    expect([...p1]).toEqual([1 - 0.05, 1 + 0.2]);
    const p2 = Float64Array.from([1, 1]);
    new AdaGrad(0.1, 0).update('w', p2, g); // h = g², step lr·g/|g|
    expect([...p2]).toEqual([0.9, 1.1]);
    const p3 = Float64Array.from([1, 1]);
    new Adam(0.1, 0.9, 0.999, 0).update('w', p3, g); // bias-corrected m̂/√v̂ = g/|g|
    expect(p3[0]).toBeCloseTo(0.9, 14);
    expect(p3[1]).toBeCloseTo(1.1, 14);
    expect(() => new Adam(-1)).toThrow('Adam: lr must be a finite number > 0; got -1');
  });

  it('should keep separate state per parameter name', () => {
    const opt = new AdaGrad(1, 0);
    const a = Float64Array.from([0]),
      b = Float64Array.from([0]);
    opt.update('a', a, Float64Array.from([1]));
    opt.update('b', b, Float64Array.from([3]));
    opt.update('a', a, Float64Array.from([1]));
    expect(a[0]).toBeCloseTo(-1 - 1 / Math.SQRT2, 14);
    expect(b[0]).toBe(-1);
  });

  it('should clip by the global norm of all gradients together', () => {
    const g = [Float64Array.from([3]), Float64Array.from([4])];
    expect(clipByGlobalNorm(g, 1)).toBe(5);
    expect(g[0]![0]).toBeCloseTo(0.6, 15);
    expect(g[1]![0]).toBeCloseTo(0.8, 15);
    const small = [Float64Array.from([0.3, 0.4])];
    clipByGlobalNorm(small, 1);
    expect([...small[0]!]).toEqual([0.3, 0.4]);
  });
});

describe('the dense head', () => {
  it('should compute the mean softmax cross-entropy and its gradient stably', () => {
    const z = Float64Array.from([1, 2, 3, 1e4, -1e4, 0]);
    const { loss, probs, dz } = softmaxCrossEntropy(z, [2, 0], 2, 3);
    const row0 = -3 + Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(loss).toBeCloseTo((row0 + 0) / 2, 12);
    expect([...probs].every(Number.isFinite)).toBe(true);
    expect(probs[3]).toBe(1);
    const zs = Float64Array.from([0.3, -1.2, 2.2, 0.1, 0.5, -0.4]);
    const expected = numeric(() => softmaxCrossEntropy(zs, [1, 2], 2, 3).loss, zs);
    softmaxCrossEntropy(zs, [1, 2], 2, 3).dz.forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 8));
    void dz;
  });

  it('should give the gradients of h·W + b', () => {
    const [n, nIn, nOut] = [3, 4, 2];
    const rng = seededRng(5);
    const init = new SimpleInitializer(1);
    const h = init.W(rng, n, nIn),
      W = init.W(rng, nIn, nOut),
      b = init.B(rng, nOut),
      dz = init.W(rng, n, nOut);
    const loss = () => denseForward(h, n, nIn, W, b, nOut).reduce((s, v, i) => s + v * dz[i]!, 0);
    const g = denseBackward(h, n, nIn, W, dz, nOut);
    for (const [got, arr] of [
      [g.dW, W],
      [g.db, b],
      [g.dh, h],
    ] as const) {
      const expected = numeric(loss, arr);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 7));
    }
  });
});
