import { describe, expect, it } from 'vitest';
import { createBackend, RnnInputError, tensor, type RnnParams, type Tensor } from '../src/index.js';
import { availabilityOf, backendEntries } from '../src/registry/registry.js';

const params = (F = 2, H = 3): RnnParams => ({
  wx: tensor(
    [F, H],
    Array.from({ length: F * H }, (_, i) => 0.1 * i),
  ),
  wh: tensor(
    [H, H],
    Array.from({ length: H * H }, (_, i) => -0.05 * i),
  ),
  b: tensor([H], [0.1, -0.2, 0.3].slice(0, H)),
});
const input = (B = 2, T = 4, F = 2): Tensor =>
  tensor(
    [B, T, F],
    Array.from({ length: B * T * F }, (_, i) => Math.sin(i)),
  );
const snapshot = (ts: Tensor[]) => ts.map((t) => [...t.shape, ...t.data]);

const available = [];
for (const e of backendEntries()) if ((await availabilityOf(e)).available) available.push(e.name);

describe.each(available)('validation on %s', (name) => {
  const bad: [string, () => [RnnParams, Tensor, object?], RegExp][] = [
    [
      'x of the wrong rank',
      () => [params(), tensor([2, 2])],
      /forward: x\.shape must be of rank 3; got rank 2 \(\[2,2\]\)/,
    ],
    [
      'features that do not match wx',
      () => [params(), input(2, 4, 3)],
      /forward: x\.shape\[2\] = 3 must equal wx\.shape\[0\] = 2 \(features\)/,
    ],
    [
      'wh that is not H×H',
      () => [{ ...params(), wh: tensor([2, 3]) }, input()],
      /forward: wh\.shape\[0\] = 2 must equal wx\.shape\[1\] = 3 \(hidden units\)/,
    ],
    [
      'b of the wrong length',
      () => [{ ...params(), b: tensor([4]) }, input()],
      /forward: b\.shape\[0\] = 4 must equal wx\.shape\[1\] = 3 \(hidden units\)/,
    ],
    [
      'h0 of the wrong batch',
      () => [params(), input(), { h0: tensor([3, 3]) }],
      /forward: options\.h0\.shape\[0\] = 3 must equal x\.shape\[0\] = 2 \(batch\)/,
    ],
    [
      'data that does not match the shape',
      () => [params(), { shape: [2, 4, 2], data: new Float64Array(15) }],
      /forward: x\.data\.length must be 16 for shape \[2,4,2\]; got 15/,
    ],
    [
      'a NaN in the weights',
      () => [{ ...params(), wx: tensor([2, 3], [0, 1, NaN, 0, 0, 0]) }, input()],
      /forward: wx\.data\[2\] must be finite; got NaN/,
    ],
    [
      'an Infinity in x',
      () => [params(), tensor([1, 1, 2], [Infinity, 0])],
      /forward: x\.data\[0\] must be finite; got Infinity/,
    ],
    [
      'a -Infinity last, after -0s, in a Float32Array h0',
      () => [params(), input(), { h0: { shape: [2, 3], data: Float32Array.of(-0, -0, 0, 1, -0, -Infinity) } }],
      /forward: options\.h0\.data\[5\] must be finite; got -Infinity/,
    ],
    [
      'an unknown activation',
      () => [params(), input(), { activation: 'sigmoid' }],
      /forward: options\.activation must be one of 'tanh', 'relu'; got "sigmoid"/,
    ],
    [
      'data that is a plain array',
      () => [params(), { shape: [1, 1, 2], data: [1, 2] as never }],
      /forward: x\.data must be a Float64Array or Float32Array; got an array of length 2/,
    ],
  ];

  it.each(bad)('should refuse %s with a message naming the function and argument', async (_, make, message) => {
    // Arrange
    const backend = await createBackend(name);
    const [p, x, o] = make();
    const before = snapshot([p.wx, p.wh, p.b, x]);

    // Act / Assert
    await expect(backend.forward(p, x, o as never)).rejects.toThrow(message);
    await expect(backend.forward(p, x, o as never)).rejects.toBeInstanceOf(RnnInputError);
    expect(snapshot([p.wx, p.wh, p.b, x])).toEqual(before);
    const ok = await backend.forward(params(), input());
    expect(ok.shape).toEqual([2, 4, 3]);
    await backend.dispose();
  });

  it('should refuse hs and dhs that do not match x and the weights', async () => {
    const backend = await createBackend(name);
    const hs = await backend.forward(params(), input());
    await expect(backend.backward(params(), input(), tensor([2, 3, 3]), hs)).rejects.toThrow(
      /backward: hs\.shape\[1\] = 3 must equal x\.shape\[1\] = 4 \(time steps\)/,
    );
    await expect(backend.backward(params(), input(), hs, tensor([2, 4, 2]))).rejects.toThrow(
      /backward: dhs\.shape\[2\] = 2 must equal wx\.shape\[1\] = 3 \(hidden units\)/,
    );
    await expect(backend.backward(params(), input(), hs, tensor([2, 4]))).rejects.toThrow(
      /backward: dhs\.shape must be of rank 3/,
    );
  });

  it('should never mutate its inputs in forward or backward', async () => {
    const backend = await createBackend(name);
    const p = params();
    const x = input();
    const h0 = tensor([2, 3], [0.1, 0.2, 0.3, -0.1, -0.2, -0.3]);
    const hs = await backend.forward(p, x, { h0 });
    const dhs = tensor(
      [2, 4, 3],
      Array.from({ length: 24 }, (_, i) => Math.cos(i)),
    );
    const before = snapshot([p.wx, p.wh, p.b, x, h0, hs, dhs]);
    await backend.backward(p, x, hs, dhs, { h0, activation: 'relu' });
    await backend.forward(p, x, { h0, activation: 'relu' });
    expect(snapshot([p.wx, p.wh, p.b, x, h0, hs, dhs])).toEqual(before);
  });

  it('should accept Float32Array inputs and match the Float64Array result to float32 rounding', async () => {
    const backend = await createBackend(name);
    const p = params();
    const x = input();
    const f32 = (t: Tensor): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data) });
    const a = await backend.forward({ wx: f32(p.wx), wh: f32(p.wh), b: f32(p.b) }, f32(x));
    const b = await backend.forward(
      {
        wx: tensor(p.wx.shape, Float32Array.from(p.wx.data)),
        wh: tensor(p.wh.shape, Float32Array.from(p.wh.data)),
        b: tensor(p.b.shape, Float32Array.from(p.b.data)),
      },
      tensor(x.shape, Float32Array.from(x.data)),
    );
    [...a.data].forEach((v, i) => expect(v).toBeCloseTo(b.data[i] as number, 6));
  });
});
