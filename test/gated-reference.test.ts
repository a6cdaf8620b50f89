/**
 * loops' LSTM and GRU pinned down, fast enough for mutation testing: the forward against 67 expectations
 * of ONNX, ONNX Runtime, Keras and TF.js tests (numbers rnn-harness did not compute), and every gradient
 * against central finite differences written out here, with the shapes and the keys of the contract.
 */
import { describe, expect, it } from 'vitest';
import { LoopsBackend } from '../src/backends/loops.js';
import { gatedPeerCases, runGatedPeerCase } from '../src/check/gated-peer-cases.js';
import { caseOptions, type RnnCase } from '../src/check/arbitraries.js';
import { scaledCase } from '../src/check/scaled-case.js';
import type { RnnParams } from '../src/core/rnn.js';
import type { Tensor } from '../src/core/tensor.js';

const loops = new LoopsBackend();

describe("loops' gated forward against other frameworks' tests", () => {
  it.each(['lstm', 'gru'] as const)('should meet every %s expectation within the peer tolerance', async (cell) => {
    const cases = gatedPeerCases(cell);
    expect(cases.length).toBeGreaterThan(30);
    for (const p of cases) {
      const cmp = await runGatedPeerCase(loops, p);
      expect(cmp.ratio, p.name).toBeLessThanOrEqual(1);
    }
  });
});

/** Σ dhs ⊙ forward, for finite differences. */
async function loss(c: RnnCase, params: RnnParams, x: Tensor, h0: Tensor | undefined, c0: Tensor | undefined) {
  const o = { ...caseOptions(c), ...(h0 === undefined ? {} : { h0 }), ...(c0 === undefined ? {} : { c0 }) };
  const hs = await loops.forward(params, x, o);
  let sum = 0;
  for (let i = 0; i < hs.data.length; i++) sum += (hs.data[i] as number) * (c.dhs.data[i] as number);
  return sum;
}

/** Central differences of the loss with respect to every element of input `k`, step 1e-6. */
async function numeric(c: RnnCase, k: string): Promise<number[]> {
  const inputs: Record<string, Tensor | undefined> = { ...c.params, x: c.x, h0: c.h0, c0: c.c0 };
  const t = inputs[k] as Tensor;
  const out: number[] = [];
  for (let i = 0; i < t.data.length; i++) {
    const at = async (delta: number) => {
      const data = Float64Array.from(t.data);
      data[i] = (data[i] as number) + delta;
      const moved = { ...inputs, [k]: { shape: t.shape, data } };
      const { wx, wh, b, bh } = moved as Record<string, Tensor>;
      const params: RnnParams = { wx: wx!, wh: wh!, b: b!, ...(bh === undefined ? {} : { bh }) };
      return loss(c, params, moved.x as Tensor, moved.h0, moved.c0);
    };
    const h = 1e-6;
    out.push(((await at(h)) - (await at(-h))) / (2 * h));
  }
  return out;
}

const CASES: [string, RnnCase][] = [
  ['lstm with h0 and c0', scaledCase({ B: 2, T: 3, F: 3, H: 2 }, 'tanh', 11, { cell: 'lstm', h0: true, c0: true })],
  ['lstm from zeros', scaledCase({ B: 2, T: 3, F: 2, H: 3 }, 'tanh', 12, { cell: 'lstm', h0: false })],
  ['gru reset after with h0', scaledCase({ B: 2, T: 3, F: 3, H: 2 }, 'tanh', 13, { cell: 'gru', resetAfter: true })],
  ['gru reset before with h0', scaledCase({ B: 2, T: 3, F: 2, H: 3 }, 'tanh', 14, { cell: 'gru', resetAfter: false })],
  [
    'gru reset before from zeros',
    scaledCase({ B: 1, T: 4, F: 2, H: 2 }, 'tanh', 15, { cell: 'gru', resetAfter: false, h0: false }),
  ],
];

describe("loops' gated backward against finite differences", () => {
  it.each(CASES)('should give every gradient of the %s case, in the shape of its input', async (_, c) => {
    const o = caseOptions(c);
    const hs = await loops.forward(c.params, c.x, o);
    const g = await loops.backward(c.params, c.x, hs, c.dhs, o);
    const keys = c.cell === 'lstm' ? ['wx', 'wh', 'b', 'x', 'h0', 'c0'] : ['wx', 'wh', 'b', 'bh', 'x', 'h0'];
    expect(Object.keys(g).sort()).toEqual([...keys].sort());
    const inputs: Record<string, Tensor | undefined> = { ...c.params, x: c.x, h0: c.h0, c0: c.c0 };
    const G = (c.cell === 'lstm' ? 4 : 3) * c.H;
    expect(g.wx.shape).toEqual([c.F, G]);
    expect(g.wh.shape).toEqual([c.H, G]);
    expect(g.b.shape).toEqual([G]);
    for (const k of keys) {
      const got = (g as Record<string, Tensor>)[k] as Tensor;
      const given = inputs[k];
      if (given === undefined) {
        // A state not given is zeros; its gradient is still the gradient at zeros.
        expect(got.shape).toEqual([c.B, c.H]);
        continue;
      }
      expect(got.shape, k).toEqual(given.shape);
      const want = await numeric(c, k);
      for (let i = 0; i < want.length; i++)
        expect(Math.abs((got.data[i] as number) - (want[i] as number)), `d${k}[${i}]`).toBeLessThan(
          1e-7 * Math.max(1, Math.abs(want[i] as number)),
        );
    }
  });
});
