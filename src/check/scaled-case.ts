/**
 * Cases at any size with values scaled as a trained network's would be: weights uniform in ±1/√fan-in
 * (so pre-activations stay of order 1 however large F and H are, and a long relu chain neither vanishes
 * nor explodes), biases in ±0.5, inputs and upstream gradients in ±1, initial states in ±0.5. Seeded: the same
 * seed gives the same case on every machine.
 */
import type { Activation } from '../core/rnn.js';
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
};

/** A seeded case at any size, its values scaled as a trained network's would be. */
export function scaledCase(shape: Shape, activation: Activation, seed: number, o: ScaledCaseOptions = {}): RnnCase {
  const { B, T, F, H } = shape;
  const rng = seededRng(seed);
  const wx = uniformTensor(rng, [F, H], 1 / Math.sqrt(F));
  const wh = uniformTensor(rng, [H, H], 1 / Math.sqrt(H));
  const b = uniformTensor(rng, [H], o.biasMagnitude ?? 0.5);
  const x = uniformTensor(rng, [B, T, F]);
  const h0 = o.h0 === false ? undefined : uniformTensor(rng, [B, H], 0.5);
  const dhs = uniformTensor(rng, [B, T, H]);
  if (o.lastStepOnly === true) {
    const d = dhs.data as Float64Array;
    for (let i = 0; i < B; i++) d.fill(0, i * T * H, (i * T + T - 1) * H);
  }
  return { B, T, F, H, activation, params: { wx, wh, b }, x, h0, dhs };
}
