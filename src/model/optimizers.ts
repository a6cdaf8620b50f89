/**
 * Optimizers over named parameters: update(name, param, grad) changes `param` in place (the model owns
 * it) and keeps per-parameter state under `name`. SGD and AdaGrad as in the notebook's course; Adam.
 */
import { describeValue, invalidArgument } from '../core/errors.js';

/** Updates parameters from their gradients, one step at a time. */
export interface Optimizer {
  readonly name: string;
  /** The learning rate; a schedule may change it between steps. */
  lr: number;
  update(key: string, param: Float64Array, grad: Float64Array): void;
}

function rate(fn: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0)
    throw invalidArgument(fn, 'lr', 'a finite number > 0', describeValue(lr));
  return lr;
}

/** Stochastic gradient descent: parameters minus the learning rate times their gradients. */
export class SGD implements Optimizer {
  readonly name = 'sgd';
  lr: number;
  constructor(lr = 0.01) {
    this.lr = rate('SGD', lr);
  }
  update(_key: string, param: Float64Array, grad: Float64Array): void {
    for (let i = 0; i < param.length; i++) param[i] = param[i]! - this.lr * grad[i]!;
  }
}

/** AdaGrad: h += g²; param -= lr · g / (√h + eps). */
export class AdaGrad implements Optimizer {
  readonly name = 'adagrad';
  lr: number;
  private readonly h = new Map<string, Float64Array>();
  constructor(
    lr = 0.01,
    readonly eps = 1e-7,
  ) {
    this.lr = rate('AdaGrad', lr);
  }
  update(key: string, param: Float64Array, grad: Float64Array): void {
    let h = this.h.get(key);
    if (h === undefined) this.h.set(key, (h = new Float64Array(param.length)));
    for (let i = 0; i < param.length; i++) {
      h[i] = h[i]! + grad[i]! * grad[i]!;
      param[i] = param[i]! - (this.lr * grad[i]!) / (Math.sqrt(h[i]!) + this.eps);
    }
  }
}

/** Adam (Kingma & Ba) with bias correction; one step count per parameter. */
export class Adam implements Optimizer {
  readonly name = 'adam';
  lr: number;
  private readonly state = new Map<string, { m: Float64Array; v: Float64Array; t: number }>();
  constructor(
    lr = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.lr = rate('Adam', lr);
  }
  update(key: string, param: Float64Array, grad: Float64Array): void {
    let s = this.state.get(key);
    if (s === undefined)
      this.state.set(key, (s = { m: new Float64Array(param.length), v: new Float64Array(param.length), t: 0 }));
    s.t++;
    const c1 = 1 - this.beta1 ** s.t,
      c2 = 1 - this.beta2 ** s.t;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i]!;
      s.m[i] = this.beta1 * s.m[i]! + (1 - this.beta1) * g;
      s.v[i] = this.beta2 * s.v[i]! + (1 - this.beta2) * g * g;
      param[i] = param[i]! - (this.lr * (s.m[i]! / c1)) / (Math.sqrt(s.v[i]! / c2) + this.eps);
    }
  }
}

/** Scales every gradient by min(1, maxNorm / ‖g‖) where ‖g‖ is the norm of all of them together; returns ‖g‖. */
export function clipByGlobalNorm(grads: Float64Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of grads) for (const v of g) sq += v * v;
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const s = maxNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * s;
  }
  return norm;
}
