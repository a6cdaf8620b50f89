/**
 * Activations with forward and backward, like the notebook's Tanh: forward keeps its output, backward
 * turns the gradient of the output into the gradient of the input. Inputs are never written.
 */
export interface Activation {
  readonly name: 'tanh' | 'relu';
  forward(a: Float64Array): Float64Array;
  /** dL/da from dL/dz, for the a of the last forward. */
  backward(dz: Float64Array): Float64Array;
}

abstract class Stateful {
  protected z: Float64Array | undefined;
  protected last(n: number, fn: string): Float64Array {
    if (this.z === undefined || this.z.length !== n)
      throw new Error(
        `${fn}: backward needs a forward of the same size first (got ${n} values, forward had ${this.z?.length ?? 'none'})`,
      );
    return this.z;
  }
}

/** tanh with its derivative, as the notebook writes it. */
export class Tanh extends Stateful implements Activation {
  readonly name = 'tanh';
  forward(a: Float64Array): Float64Array {
    return (this.z = a.map(Math.tanh));
  }
  backward(dz: Float64Array): Float64Array {
    const z = this.last(dz.length, 'Tanh.backward');
    return dz.map((d, i) => d * (1 - z[i]! * z[i]!));
  }
}

/** relu with its derivative, as the notebook writes it. */
export class ReLU extends Stateful implements Activation {
  readonly name = 'relu';
  forward(a: Float64Array): Float64Array {
    return (this.z = a.map((v) => (v > 0 ? v : 0)));
  }
  backward(dz: Float64Array): Float64Array {
    const z = this.last(dz.length, 'ReLU.backward');
    return dz.map((d, i) => (z[i]! > 0 ? d : 0));
  }
}
