/**
 * Weight initializers, as in the notebook's course: each draws from a seeded generator (pure-rand via
 * src/check/random.ts; never Math.random). W(nIn, nOut) is [nIn, nOut] row-major; B(n) is [n].
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { Rng } from '../core/random.js';
import { invalidArgument, describeValue } from '../core/errors.js';

/** Makes the initial weights of a layer, seeded. */
export interface Initializer {
  readonly name: string;
  W(rng: Rng, nIn: number, nOut: number): Float64Array;
  B(rng: Rng, n: number): Float64Array;
}

/** A standard normal draw (Box–Muller over two uniforms in (0, 1]). */
export function normal(rng: Rng): number {
  const u = 1 - uniformFloat64(rng);
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const gaussian = (rng: Rng, n: number, sigma: number) => Float64Array.from({ length: n }, () => sigma * normal(rng));

function positive(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw invalidArgument(fn, arg, 'a finite number > 0', describeValue(v));
  return v;
}

/** The notebook's SimpleInitializer: W and B ~ sigma · N(0, 1). */
export class SimpleInitializer implements Initializer {
  readonly name = 'simple';
  readonly sigma: number;
  constructor(sigma = 0.01) {
    this.sigma = positive('SimpleInitializer', 'sigma', sigma);
  }
  W(rng: Rng, nIn: number, nOut: number): Float64Array {
    return gaussian(rng, nIn * nOut, this.sigma);
  }
  B(rng: Rng, n: number): Float64Array {
    return gaussian(rng, n, this.sigma);
  }
}

/** Xavier (Glorot): W ~ N(0, 1/nIn), B = 0. Suits tanh. */
export class XavierInitializer implements Initializer {
  readonly name = 'xavier';
  W(rng: Rng, nIn: number, nOut: number): Float64Array {
    return gaussian(rng, nIn * nOut, 1 / Math.sqrt(nIn));
  }
  B(_rng: Rng, n: number): Float64Array {
    return new Float64Array(n);
  }
}

/** He: W ~ N(0, 2/nIn), B = 0. Suits relu. */
export class HeInitializer implements Initializer {
  readonly name = 'he';
  W(rng: Rng, nIn: number, nOut: number): Float64Array {
    return gaussian(rng, nIn * nOut, Math.sqrt(2 / nIn));
  }
  B(_rng: Rng, n: number): Float64Array {
    return new Float64Array(n);
  }
}
