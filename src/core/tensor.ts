import { describeValue, invalidArgument } from './errors.js';

/** A dense row-major tensor. */
export type Tensor = { readonly shape: readonly number[]; readonly data: Float64Array | Float32Array };

/** Nested arrays of numbers, as produced by `toNested` and accepted by `fromNested`. */
export type Nested = number | Nested[];

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(fn: string, arg: string, shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape)) throw invalidArgument(fn, `${arg}.shape`, 'an array of dimensions', describeValue(shape));
  shape.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw invalidArgument(fn, `${arg}.shape[${i}]`, 'a positive integer', describeValue(d));
    }
  });
}

/** A float64 tensor of the given shape; `data` is copied (never aliased) and must match the shape. */
export function tensor(shape: readonly number[], data?: ArrayLike<number>): Tensor {
  checkShape('tensor', 'tensor', shape);
  const n = sizeOf(shape);
  if (data !== undefined && data.length !== n) {
    throw invalidArgument('tensor', 'data.length', `${n} for shape [${shape.join(',')}]`, String(data.length));
  }
  const out = new Float64Array(n);
  if (data !== undefined) out.set(data);
  return { shape: [...shape], data: out };
}

/** A float64 tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return tensor(shape);
}

/** A float64 tensor from nested arrays, e.g. `fromNested([[1, 2], [3, 4]])` has shape [2, 2]. */
export function fromNested(nested: Nested): Tensor {
  const shape: number[] = [];
  let probe: Nested = nested;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) throw invalidArgument('fromNested', 'nested', 'non-empty arrays', 'an empty array');
    probe = probe[0] as Nested;
  }
  const flat: number[] = [];
  const walk = (v: Nested, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw invalidArgument('fromNested', `nested${path}`, 'a number', describeValue(v));
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw invalidArgument(
        'fromNested',
        `nested${path}`,
        `an array of length ${shape[depth]} (ragged input)`,
        describeValue(v),
      );
    }
    v.forEach((c, i) => walk(c, depth + 1, `${path}[${i}]`));
  };
  walk(nested, 0, '');
  return tensor(shape, flat);
}

/** Nested arrays from a tensor. */
export function toNested(t: Tensor): Nested {
  const build = (depth: number, offset: number): Nested => {
    if (depth === t.shape.length) return t.data[offset] as number;
    const stride = sizeOf(t.shape.slice(depth + 1));
    const out: Nested[] = [];
    for (let i = 0; i < (t.shape[depth] as number); i++) out.push(build(depth + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/**
 * Checks that `t` is a well-formed tensor of the given rank with finite data; throws an RnnInputError
 * naming `fn` and `arg` otherwise.
 */
export function checkTensor(fn: string, arg: string, t: unknown, rank: number): asserts t is Tensor {
  if (typeof t !== 'object' || t === null) throw invalidArgument(fn, arg, 'a tensor {shape, data}', describeValue(t));
  const { shape, data } = t as { shape: unknown; data: unknown };
  checkShape(fn, arg, shape);
  if (shape.length !== rank) {
    throw invalidArgument(fn, `${arg}.shape`, `of rank ${rank}`, `rank ${shape.length} ([${shape.join(',')}])`);
  }
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    throw invalidArgument(fn, `${arg}.data`, 'a Float64Array or Float32Array', describeValue(data));
  }
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw invalidArgument(fn, `${arg}.data.length`, `${n} for shape [${shape.join(',')}]`, String(data.length));
  }
  // One pass without a branch per element (this scan runs on every call, before any work is split):
  // v·0 is ±0 for every finite v and NaN for NaN and ±Infinity, so the sum is 0 exactly when all are finite.
  // Four sums, so that the additions do not wait on each other: twice as fast as one.
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const whole = n - (n % 4);
  let i = 0;
  for (; i < whole; i += 4) {
    p0 += data[i]! * 0;
    p1 += data[i + 1]! * 0;
    p2 += data[i + 2]! * 0;
    p3 += data[i + 3]! * 0;
  }
  for (; i < n; i++) p0 += data[i]! * 0;
  if (p0 + p1 + p2 + p3 !== 0) {
    const at = data.findIndex((v) => !Number.isFinite(v));
    throw invalidArgument(fn, `${arg}.data[${at}]`, 'finite', String(data[at]));
  }
}

/** The data as a Float64Array: the same array when it already is one (read only!), else a converted copy. */
export function asFloat64(t: Tensor): Float64Array {
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
}
