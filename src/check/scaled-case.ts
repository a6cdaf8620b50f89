/**
 * Cases at any size with values scaled as a trained network's would be: weights uniform in ±1/√fan-in
 * (so pre-activations stay of order 1 however large F and H are, and a long relu chain neither vanishes
 * nor explodes), biases in ±0.5, inputs and upstream gradients in ±1, initial states in ±0.5. Seeded: the same
 * seed gives the same case on every machine.
 */
import { GATES, type Activation, type Cell } from '../core/rnn.js';
import type { RnnCase } from './arbitraries.js';
import { seededRng, uniformTensor } from '../core/random.js';

/** The sizes of a problem: batch, time steps, features, hidden units. */
export type Shape = { B: number; T: number; F: number; H: number };

/** Options of scaledCase: h0 or not, upstream gradient on the last step only, the magnitude of the biases. */
export type ScaledCaseOptions = {
  /** An initial state (default true); false starts from zeros. */
  h0?: boolean;
  /** Upstream gradient on the last step only (a many-to-one model), zeros elsewhere (default false). */
  lastStepOnly?: boolean;
  /** Biases uniform in ±biasMagnitude (default 0.5); 1e4 saturates every tanh. */
  biasMagnitude?: number;
  /** The cell (default 'rnn'): an LSTM or GRU has G = 4 or 3 gate blocks of H columns, a GRU a bh too. */
  cell?: Cell;
  /** A GRU's reset gate after the product (default true). */
  resetAfter?: boolean;
  /** An LSTM's initial cell state (default: when it has h0). */
  c0?: boolean;
};

/** A seeded case at any size, its values scaled as a trained network's would be. */
export function scaledCase(shape: Shape, activation: Activation, seed: number, o: ScaledCaseOptions = {}): RnnCase {
  const { B, T, F, H } = shape;
  const cell = o.cell ?? 'rnn';
  const G = GATES[cell] * H;
  const rng = seededRng(seed);
  const wx = uniformTensor(rng, [F, G], 1 / Math.sqrt(F));
  const wh = uniformTensor(rng, [H, G], 1 / Math.sqrt(H));
  const b = uniformTensor(rng, [G], o.biasMagnitude ?? 0.5);
  const x = uniformTensor(rng, [B, T, F]);
  const h0 = o.h0 === false ? undefined : uniformTensor(rng, [B, H], 0.5);
  const dhs = uniformTensor(rng, [B, T, H]);
  if (o.lastStepOnly === true) {
    const d = dhs.data as Float64Array;
    for (let i = 0; i < B; i++) d.fill(0, i * T * H, (i * T + T - 1) * H);
  }
  if (cell === 'rnn') return { B, T, F, H, activation, params: { wx, wh, b }, x, h0, dhs };
  // bh and c0 are drawn last.
  const bh = uniformTensor(rng, [G], o.biasMagnitude ?? 0.5);
  const c0 = (o.c0 ?? o.h0 !== false) ? uniformTensor(rng, [B, H], 0.5) : undefined;
  return cell === 'lstm'
    ? { B, T, F, H, cell, activation: 'tanh', params: { wx, wh, b }, x, h0, c0, dhs }
    : {
        B,
        T,
        F,
        H,
        cell,
        resetAfter: o.resetAfter !== false,
        activation: 'tanh',
        params: { wx, wh, b, bh },
        x,
        h0,
        dhs,
      };
}
