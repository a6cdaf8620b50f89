/**
 * The arbitrary behind rnnCase: a problem of one cell drawn as its shape and options, and its values from
 * pools laid out for the largest shape, every value a multiple of GRID. It shrinks the way a person would
 * cut a failing case down by hand:
 *   1. the shape, one dimension at a time, keeping the values: the smaller case is the failing case with
 *      some of its samples, steps, features or units taken out (see `cut` and `removeIndex`), never new
 *      random numbers;
 *   2. relu to tanh, an initial state (h0, an LSTM's c0) to none, and a GRU's reset gate before the product
 *      to after it, where the constraints leave the choice;
 *   3. each value the case uses towards 0 (or the smallest magnitude allowed), on the grid;
 * and round again, until nothing more can go. Values the shape does not use are never shrunk, so the
 * shrink path (the --path of a replay) stays short.
 */
import fc from 'fast-check';
import { GATES, type Activation, type Cell } from '../core/rnn.js';
import { tensor, type Tensor } from '../core/tensor.js';

/** Generated values are multiples of GRID: a counterexample reads as plain numbers (0.375, -1), never as 5.33e-15. */
export const GRID = 1 / 8;

export type Range = [number, number];

/** What the arbitrary draws from; magnitudes are in units of GRID. */
export type CaseSpace = {
  ranges: { B: Range; T: Range; F: Range; H: Range };
  /** A fixed activation, or undefined for either. */
  activation: Activation | undefined;
  /** A fixed choice of initial state, or undefined for either (an LSTM's c0 too). */
  h0: boolean | undefined;
  /** The cell (default 'rnn'): a gated cell's wx, wh, b (and a GRU's bh) have G blocks of H columns. */
  cell?: Cell;
  /** A GRU's reset gate: after the product (true), before it (false), or undefined for either. */
  resetAfter?: boolean | undefined;
  /** [smallest, largest] magnitude of weights, inputs, h0 and dhs, and of the bias, in grid steps. */
  values: Range;
  bias: Range;
};

const TENSORS = ['wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0', 'dhs'] as const;
type TensorName = (typeof TENSORS)[number];
type Dim = 'B' | 'T' | 'F' | 'H' | 'G';
/** The dimensions a case shrinks along (G, the gate blocks, is the cell's). */
const SHRINKING = ['B', 'T', 'F', 'H'] as const;

/**
 * The dimension behind each axis of each tensor. G, the gate blocks (1, 4 or 3), never shrinks: a
 * weight's pool is [F, G, H], so taking out a unit takes it out of every gate block.
 */
const AXES: Record<TensorName, readonly Dim[]> = {
  wx: ['F', 'G', 'H'],
  wh: ['H', 'G', 'H'],
  b: ['G', 'H'],
  bh: ['G', 'H'],
  x: ['B', 'T', 'F'],
  h0: ['B', 'H'],
  c0: ['B', 'H'],
  dhs: ['B', 'T', 'H'],
};

/** A drawn case before it becomes tensors: shape, options, and the pools (grid steps, signed). */
export type RawCase = {
  B: number;
  T: number;
  F: number;
  H: number;
  activation: Activation;
  withH0: boolean;
  /** An LSTM's c0 given (always false for the other cells). */
  withC0: boolean;
  /** A GRU's reset gate after the product (always true for the other cells). */
  resetAfter: boolean;
} & Record<TensorName, number[]>;

/** The shape of each tensor's pool for the sizes of `d` and G gate blocks (bh and c0 empty where the cell has none). */
export function shapesOf(
  d: { B: number; T: number; F: number; H: number },
  cell: Cell = 'rnn',
): Record<TensorName, number[]> {
  const G = GATES[cell];
  return {
    wx: [d.F, G, d.H],
    wh: [d.H, G, d.H],
    b: [G, d.H],
    bh: cell === 'gru' ? [G, d.H] : [0],
    x: [d.B, d.T, d.F],
    h0: [d.B, d.H],
    c0: cell === 'lstm' ? [d.B, d.H] : [0, d.H],
    dhs: [d.B, d.T, d.H],
  };
}

/** The pool index of each element of a tensor of `shape`, laid out for the largest shape `full`. */
function poolIndices(shape: readonly number[], full: readonly number[]): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let at = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const size = shape[d] as number;
      at += (rest % size) * stride;
      rest = Math.floor(rest / size);
      stride *= full[d] as number;
    }
    out[flat] = at;
  }
  return out;
}

/**
 * A tensor of `shape` read from a pool laid out for the largest shape `full` of the same rank: element
 * [i, j, k] is pool[(i·full[1] + j)·full[2] + k] whatever the shape, so cutting a dimension keeps every
 * other element where it was.
 */
export function cut(pool: readonly number[], shape: readonly number[], full: readonly number[], scale = GRID): Tensor {
  const t = tensor(shape);
  const data = t.data as Float64Array;
  poolIndices(shape, full).forEach((at, i) => (data[i] = (pool[at] as number) * scale));
  return t;
}

/**
 * The pool of a tensor laid out for `full` with index `i` of every axis of dimension `dim` taken out:
 * later slices move down one, the last becomes 0.
 */
function removeIndex(
  pool: readonly number[],
  full: readonly number[],
  axes: readonly Dim[],
  dim: Dim,
  i: number,
): number[] {
  let out = [...pool];
  axes.forEach((name, axis) => {
    if (name !== dim) return;
    const from = out;
    out = new Array<number>(from.length).fill(0);
    const inner = full.slice(axis + 1).reduce((a, b) => a * b, 1);
    const size = full[axis] as number;
    for (let flat = 0; flat < from.length; flat++) {
      const at = Math.floor(flat / inner) % size;
      if (at < i) out[flat] = from[flat] as number;
      else if (at < size - 1) out[flat] = from[flat + inner] as number;
    }
  });
  return out;
}

/** The candidates between `current` and `target`, nearest to the target first: target, then halfway, … */
function towards(current: number, target: number): number[] {
  const out: number[] = [];
  for (let gap = current - target; gap !== 0; gap = Math.trunc(gap / 2)) out.push(current - gap);
  return out;
}

type Context = { raw: RawCase; from: number };
type Slot =
  | { kind: 'dim'; dim: Exclude<Dim, 'G'> }
  | { kind: 'activation' }
  | { kind: 'h0' }
  | { kind: 'c0' }
  | { kind: 'reset' }
  | { kind: 'value'; tensor: TensorName; at: number };

export class RnnCaseArbitrary<T> extends fc.Arbitrary<T> {
  private readonly draw: fc.Arbitrary<RawCase>;
  private readonly full: Record<TensorName, number[]>;

  /** `build` turns a drawn case into the value the property receives. */
  constructor(
    private readonly space: CaseSpace,
    private readonly build: (raw: RawCase) => T,
  ) {
    super();
    const r = space.ranges;
    const cell = space.cell ?? 'rnn';
    this.full = shapesOf({ B: r.B[1], T: r.T[1], F: r.F[1], H: r.H[1] }, cell);
    const steps = ([lo, hi]: Range) =>
      lo === 0
        ? fc.integer({ min: -hi, max: hi })
        : fc.tuple(fc.integer({ min: lo, max: hi }), fc.boolean()).map(([k, neg]) => (neg ? -k : k));
    const pool = (name: TensorName) => {
      const n = this.full[name].reduce((a, b) => a * b, 1);
      return fc.array(steps(name === 'b' || name === 'bh' ? space.bias : space.values), { minLength: n, maxLength: n });
    };
    const int = ([min, max]: Range) => fc.integer({ min, max });
    const either = (fixed: boolean | undefined) => (fixed === undefined ? fc.boolean() : fc.constant(fixed));
    const simple = fc.record({
      B: int(r.B),
      T: int(r.T),
      F: int(r.F),
      H: int(r.H),
      activation:
        space.activation === undefined || cell !== 'rnn'
          ? cell === 'rnn'
            ? fc.constantFrom<Activation>('tanh', 'relu')
            : fc.constant<Activation>('tanh')
          : fc.constant(space.activation),
      withH0: either(space.h0),
      wx: pool('wx'),
      wh: pool('wh'),
      b: pool('b'),
      x: pool('x'),
      h0: pool('h0'),
      dhs: pool('dhs'),
    });
    // A gated cell's draws come after the SimpleRNN's, so that a seed gives the SimpleRNN the cases it always had.
    this.draw =
      cell === 'rnn'
        ? simple.map((raw) => ({ ...raw, withC0: false, resetAfter: true, bh: [], c0: [] }))
        : fc
            .tuple(
              simple,
              fc.record({
                withC0: cell === 'lstm' ? either(space.h0) : fc.constant(false),
                resetAfter: cell === 'gru' ? either(space.resetAfter) : fc.constant(true),
                bh: cell === 'gru' ? pool('bh') : fc.constant<number[]>([]),
                c0: cell === 'lstm' ? pool('c0') : fc.constant<number[]>([]),
              }),
            )
            .map(([a, b]) => ({ ...a, ...b }));
  }

  override generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    const raw = this.draw.generate(mrng, biasFactor).value_;
    return this.withContext(raw, 0);
  }

  override canShrinkWithoutContext(_value: unknown): _value is T {
    return false;
  }

  override shrink(_value: T, context: unknown): fc.Stream<fc.Value<T>> {
    const c = context as Context | undefined;
    if (c === undefined || typeof c !== 'object' || !('raw' in c)) return fc.Stream.nil();
    return fc.stream(this.candidates(c));
  }

  /**
   * The shrinks of a case, from the slot that shrank last, round to the slots before it: after a value went
   * to 0, a dimension that could not go before may go now.
   */
  private *candidates(c: Context): Generator<fc.Value<T>> {
    const slots = this.slots(c.raw);
    for (let k = 0; k < slots.length; k++) {
      const s = (c.from + k) % slots.length;
      for (const raw of this.shrinksOf(c.raw, slots[s] as Slot, this.space)) yield this.withContext(raw, s);
    }
  }

  /** Every place the case can shrink, in the order they are tried. */
  private slots(raw: RawCase): Slot[] {
    const slots: Slot[] = SHRINKING.map((dim) => ({ kind: 'dim', dim }));
    slots.push({ kind: 'activation' }, { kind: 'h0' }, { kind: 'c0' }, { kind: 'reset' });
    const shapes = shapesOf(raw, this.space.cell);
    for (const name of TENSORS) {
      if (name === 'h0' && !raw.withH0) continue;
      if (name === 'c0' && !raw.withC0) continue;
      for (const at of poolIndices(shapes[name], this.full[name])) slots.push({ kind: 'value', tensor: name, at });
    }
    return slots;
  }

  private *shrinksOf(raw: RawCase, slot: Slot, space: CaseSpace): Generator<RawCase> {
    if (slot.kind === 'dim') {
      const n = raw[slot.dim];
      // Cut from the end first (big steps), then take out one sample, step, feature or unit anywhere.
      for (const v of towards(n, space.ranges[slot.dim][0])) yield { ...raw, [slot.dim]: v };
      if (n <= space.ranges[slot.dim][0]) return;
      for (let i = 0; i < n - 1; i++) {
        const next: RawCase = { ...raw, [slot.dim]: n - 1 };
        for (const name of TENSORS)
          if (AXES[name].includes(slot.dim))
            next[name] = removeIndex(raw[name], this.full[name], AXES[name], slot.dim, i);
        yield next;
      }
    } else if (slot.kind === 'activation') {
      if (space.activation === undefined && raw.activation === 'relu') yield { ...raw, activation: 'tanh' };
    } else if (slot.kind === 'h0') {
      if (space.h0 === undefined && raw.withH0) yield { ...raw, withH0: false };
    } else if (slot.kind === 'c0') {
      if (space.h0 === undefined && raw.withC0) yield { ...raw, withC0: false };
    } else if (slot.kind === 'reset') {
      if (space.resetAfter === undefined && !raw.resetAfter) yield { ...raw, resetAfter: true };
    } else {
      const pool = raw[slot.tensor];
      const k = pool[slot.at] as number;
      const lo = (slot.tensor === 'b' || slot.tensor === 'bh' ? space.bias : space.values)[0];
      for (const v of towards(Math.abs(k), lo)) {
        const next = [...pool];
        next[slot.at] = Math.sign(k) * v;
        yield { ...raw, [slot.tensor]: next };
      }
    }
  }

  private withContext(raw: RawCase, from: number): fc.Value<T> {
    const context: Context = { raw, from };
    return new fc.Value(this.build(raw), context);
  }
}
