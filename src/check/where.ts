/**
 * Where a comparison went wrong, in words a person reads: the element by its index in the tensor
 * (`dwh[2,0]`, `hs[b=0,t=3,h=1]`), what came back and what was expected, and the relative error.
 */
import type { Tensor } from '../core/tensor.js';
import { GATE_NAMES, GATES, type Cell } from '../core/kinds.js';
import type { Comparison } from './compare.js';

/** The index [i, j, …] of flat element `flat` of a row-major tensor of `shape`. */
export function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    index[d] = rest % n;
    rest = Math.floor(rest / n);
  }
  return index;
}

/** The axes of the tensors that carry a batch: named in an element's index, since [0,3,1] alone says little. */
const AXES: Record<string, readonly string[]> = {
  hs: ['b', 't', 'h'],
  dhs: ['b', 't', 'h'],
  x: ['b', 't', 'f'],
  dx: ['b', 't', 'f'],
  h0: ['b', 'h'],
  dh0: ['b', 'h'],
  c0: ['b', 'h'],
  dc0: ['b', 'h'],
};

/** The parameters (and their gradients) whose last axis holds a gated cell's gate blocks. */
const BLOCKED = new Set(['wx', 'wh', 'b', 'bh', 'dwx', 'dwh', 'db', 'dbh']);

/**
 * An element by name and index: `dwh[2,0]`, or with the axes named, `hs[b=0,t=3,h=1]`. A gated cell's
 * parameter (given its `shape` and `cell`) also names the gate block and the unit of its column:
 * `dwx[0,12] (gate o, unit 0)`.
 */
export function elementName(
  quantity: string,
  index: readonly number[],
  shape?: readonly number[],
  cell?: Cell,
): string {
  const axes = AXES[quantity];
  const parts = index.map((v, d) =>
    axes !== undefined && axes.length === index.length ? `${axes[d]}=${v}` : String(v),
  );
  const name = `${quantity}[${parts.join(',')}]`;
  const column = index[index.length - 1];
  const width = shape?.[shape.length - 1];
  if (cell === undefined || cell === 'rnn' || !BLOCKED.has(quantity) || column === undefined || width === undefined)
    return name;
  const H = width / GATES[cell];
  return `${name} (gate ${GATE_NAMES[cell][Math.floor(column / H)]}, unit ${column % H})`;
}

/** The worst element of a failed comparison: where it is, what came back and what was expected. */
export type WorstElement = { index: number[]; got: number; expected: number };

/** The worst element of `cmp`, or undefined for a shape mismatch. */
export function worstElement(cmp: Comparison, actual: Tensor, expected: Tensor): WorstElement | undefined {
  if (cmp.worstIndex < 0) return undefined;
  return {
    index: unflatten(cmp.worstIndex, expected.shape),
    got: actual.data[cmp.worstIndex] as number,
    expected: expected.data[cmp.worstIndex] as number,
  };
}

/** |got − expected| / |expected|, Infinity when expected is 0 and got is not. */
export function relativeError(w: WorstElement): number {
  const err = Math.abs(w.got - w.expected);
  return err === 0 ? 0 : err / Math.abs(w.expected);
}

/** A number as a person reads it: 0.375, -12, 1.25e-7. */
export function readable(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}

/** The relative error in words: 'relative error 50 %', 'relative error 3.1e-9', or why there is none. */
export function readableRelative(w: WorstElement): string {
  const r = relativeError(w);
  if (Number.isNaN(w.got)) return 'not a number';
  if (!Number.isFinite(r)) return 'where 0 was expected';
  return `relative error ${r >= 1e-3 ? `${Number((r * 100).toPrecision(3))} %` : r.toExponential(2)}`;
}

/**
 * One line that says what is wrong and where: `db[0]: got 0.0625, expected 0.125 (relative error 50 %);
 * 1 of 1 elements disagree; worst error/tolerance 2.3e+13`.
 */
export function describeMismatch(
  quantity: string,
  cmp: Comparison,
  actual: Tensor,
  expected: Tensor,
  cell?: Cell,
): string {
  const w = worstElement(cmp, actual, expected);
  if (w === undefined)
    return `${quantity} has shape [${actual.shape.join(',')}] where [${expected.shape.join(',')}] was expected`;
  return (
    `${elementName(quantity, w.index, expected.shape, cell)}: got ${readable(w.got)}, expected ${readable(w.expected)} (${readableRelative(w)}); ` +
    `${cmp.mismatches} of ${cmp.size} elements disagree; worst error/tolerance ${cmp.worstRatio.toExponential(2)}`
  );
}
