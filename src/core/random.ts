/** Seeded random tensors (pure-rand's xoroshiro128+; never Math.random). */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { tensor, type Tensor } from './tensor.js';

export type Rng = ReturnType<typeof xoroshiro128plus>;

export const seededRng = (seed: number): Rng => xoroshiro128plus(seed);

/** A float64 tensor with values uniform in [-scale, scale). */
export function uniformTensor(rng: Rng, shape: readonly number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Array.from({ length: n }, () => (2 * uniformFloat64(rng) - 1) * scale),
  );
}
