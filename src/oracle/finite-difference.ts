/**
 * The finite-difference gradient oracle (docs/CONTRACT.md, "How it checks"): central differences in float64 over any
 * backend's forward, for the loss L = Σ dhs ⊙ hs, with a step scaled to each value. The five-point
 * stencil (f(v-2h) - 8f(v-h) + 8f(v+h) - f(v+2h)) / 12h leaves a truncation error of O(h⁴).
 */
import { gradientKeys, type GradientKey } from '../core/capabilities.js';
import {
  callInputs,
  callOf,
  checkBackward,
  type CallInputs,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import { asFloat64, type Tensor } from '../core/tensor.js';

/** Options of the finite-difference oracle: the step, relative to each value. */
export type OracleOptions = {
  /** Step relative to the value: h = relStep · max(1, |v|). Default 1e-5. */
  relStep?: number;
};

/** L = Σ dhs ⊙ hs. */
export function rnnLoss(hs: Tensor, dhs: Tensor): number {
  let s = 0;
  for (let i = 0; i < hs.data.length; i++) s += (hs.data[i] as number) * (dhs.data[i] as number);
  return s;
}

/**
 * Numerical gradients of Σ dhs ⊙ forward(p, x, o) with respect to every input of the call's cell: wx, wh,
 * b, x and h0 (zeros when absent), and bh for a GRU, c0 for an LSTM. Works on float64 copies, so the
 * caller's tensors are never touched.
 */
export async function numericGradients(
  backend: RnnBackend,
  p: RnnParams,
  x: Tensor,
  dhs: Tensor,
  o: RnnOptions = {},
  opts: OracleOptions = {},
): Promise<RnnGradients> {
  const relStep = opts.relStep ?? 1e-5;
  const hs0 = await backend.forward(p, x, o);
  const call = checkBackward('numericGradients', p, x, hs0, dhs, o);
  const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float64Array.from(t.data) });
  const inputs: CallInputs = Object.fromEntries(Object.entries(callInputs(call, p, x)).map(([k, t]) => [k, copy(t)]));
  const dhs64: Tensor = { shape: dhs.shape, data: asFloat64(dhs) };
  const loss = async (): Promise<number> => {
    const c = callOf(call, inputs);
    return rnnLoss(await backend.forward(c.params, c.x, c.options), dhs64);
  };
  const grads: Partial<Record<GradientKey, Tensor>> = {};
  for (const key of gradientKeys(call.cell)) {
    const input = inputs[key] as Tensor;
    const data = input.data;
    const g = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      const h = relStep * Math.max(1, Math.abs(v));
      const at = async (step: number): Promise<number> => {
        data[i] = v + step;
        return loss();
      };
      // Five-point stencil: truncation error O(h⁴), so only roundoff is left at this step size.
      const d1 = (await at(h)) - (await at(-h));
      const d2 = (await at(2 * h)) - (await at(-2 * h));
      data[i] = v;
      g[i] = (8 * d1 - d2) / (12 * h);
    }
    grads[key] = { shape: [...input.shape], data: g };
  }
  return grads as RnnGradients;
}

/**
 * The oracle's relative error |a - n| / max(|a|, |n|, tiny), maximised over a tensor. `tiny` is
 * `floor` times the tensor's scale max(1, max|n|): an entry much smaller than its neighbours is judged
 * by its absolute error, since the roundoff of the loss, not the entry, sets the differences' noise.
 */
export function oracleError(analytic: Tensor, numeric: Tensor, floor = 1e-3): number {
  let scale = 1;
  for (const v of numeric.data) scale = Math.max(scale, Math.abs(v));
  const tiny = floor * scale;
  let worst = 0;
  for (let i = 0; i < analytic.data.length; i++) {
    const a = analytic.data[i] as number;
    const n = numeric.data[i] as number;
    const e = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), tiny);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** The float64 bar for oracleError (docs/CONTRACT.md, "How it checks"). */
export const ORACLE_BAR = 1e-6;
