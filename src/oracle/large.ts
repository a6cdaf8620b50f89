/**
 * `check --large`: the bench's shapes, where real kernels break (remainder loops of a blocked product, a
 * worker's chunk boundary, a texture size limit). Every backend agrees with loops there, and its gradients
 * are held to the directional oracle (src/oracle/directional.ts), whose finite differences of loops'
 * forward are computed once per case and shared by every backend.
 */
import { checkedGradients, resolveCapabilities, type Capabilities, type GradientKey } from '../core/capabilities.js';
import {
  checkDirectional,
  numericDirectionals,
  randomDirections,
  type Directions,
  type NumericDirectional,
} from './directional.js';
import type { RnnBackend } from '../core/rnn.js';
import type { Cell } from '../core/kinds.js';
import type { Tensor } from '../core/tensor.js';
import { adaptCase, caseOptions, outsideCapabilities, type RnnCase } from '../check/arbitraries.js';
import { scaledCase, type Shape } from '../check/scaled-case.js';
import { failedRow, type CheckRow } from '../check/suite.js';

/** The bench's shapes beyond the notebook's. */
export const LARGE_SHAPES: readonly Shape[] = [
  { B: 32, T: 50, F: 32, H: 128 },
  { B: 64, T: 100, F: 64, H: 256 },
  { B: 128, T: 28, F: 28, H: 128 },
  { B: 8, T: 500, F: 16, H: 64 },
];

export const LARGE_SEED = 20261129;

/**
 * The large cases: each bench shape with tanh and an initial state, and the first with every tanh
 * saturated (biases of magnitude up to 1e4, so a tanh that overflows shows). relu is left to the small
 * cases: among 10⁵–10⁶ pre-activations some always lie within rounding of its kink, where a float32
 * backend may rightly take the other branch and a finite difference crosses it. A gated cell's: the same
 * shapes with h0 (and c0 for an LSTM; a GRU's reset gate after the product on the even ones, before it
 * on the odd ones), named 'large lstm 32x50x32x128 h0 c0', and the first with its gates saturated (a
 * GRU's bh equal to b, so that the two never cancel into an unsaturated gate).
 */
export function largeCases(seed = LARGE_SEED, cell: Cell = 'rnn'): { name: string; c: RnnCase }[] {
  const name = (s: Shape) => `${s.B}x${s.T}x${s.F}x${s.H}`;
  const first = LARGE_SHAPES[0] as Shape;
  if (cell !== 'rnn') {
    const variant = (i: number) =>
      cell === 'lstm'
        ? { label: 'h0 c0', o: { cell, h0: true, c0: true } }
        : { label: `reset ${i % 2 === 0 ? 'after' : 'before'} h0`, o: { cell, h0: true, resetAfter: i % 2 === 0 } };
    const cases = LARGE_SHAPES.map((s, i) => ({
      name: `large ${cell} ${name(s)} ${variant(i).label}`,
      c: scaledCase(s, 'tanh', seed + i, variant(i).o),
    }));
    const saturated = scaledCase(first, 'tanh', seed + LARGE_SHAPES.length, { ...variant(0).o, biasMagnitude: 1e4 });
    if (saturated.params.bh !== undefined)
      saturated.params.bh = { ...saturated.params.b, data: saturated.params.b.data.slice() };
    cases.push({ name: `large ${cell} ${name(first)} saturated ${variant(0).label}`, c: saturated });
    return cases;
  }
  const cases = LARGE_SHAPES.map((s, i) => ({ name: `large ${name(s)} tanh h0`, c: scaledCase(s, 'tanh', seed + i) }));
  cases.push({
    name: `large ${name(first)} saturated tanh h0`,
    c: scaledCase(first, 'tanh', seed + LARGE_SHAPES.length, { biasMagnitude: 1e4 }),
  });
  return cases;
}

/**
 * Finite differences of `reference` on a case, computed once for every backend that reads the same dhs
 * (the full one, or only its last step). Keyed by case name and that choice.
 */
export class DirectionalCache {
  private readonly entries = new Map<
    string,
    Promise<{ directions: Directions; numeric: Partial<Record<GradientKey, NumericDirectional>>; hs: Tensor }>
  >();
  constructor(
    readonly reference: RnnBackend,
    private readonly seed = LARGE_SEED,
  ) {}

  get(name: string, c: RnnCase) {
    let e = this.entries.get(name);
    if (e === undefined) {
      e = (async () => {
        const directions = randomDirections(c, this.seed);
        const numeric = await numericDirectionals(this.reference, c, directions);
        const hs = await this.reference.forward(c.params, c.x, caseOptions(c));
        return { directions, numeric, hs };
      })();
      this.entries.set(name, e);
    }
    return e;
  }
}

/**
 * The directional oracle on every large case within the backend's capabilities: one check row per quantity
 * ('directional hs', 'directional dwx', …), the worst case's error against what it was allowed.
 */
export async function checkDirectionalLarge(
  backend: RnnBackend,
  cache: DirectionalCache,
  cases = largeCases(),
  caps: Capabilities = resolveCapabilities(backend),
): Promise<CheckRow[]> {
  const worst = new Map<string, CheckRow>();
  const add = (quantity: string, worstCase: string, error: number, allowed: number, ok: boolean) => {
    const ratio = Number.isNaN(error) ? Infinity : error / allowed;
    const prev = worst.get(quantity);
    const row: CheckRow = {
      backend: backend.name,
      quantity,
      maxError: Math.max(error, prev?.maxError ?? 0),
      tolerance: allowed,
      worstRatio: ratio,
      worstCase,
      status: ok ? 'pass' : 'fail',
      ok,
    };
    if (prev === undefined || !(ratio <= prev.worstRatio)) worst.set(quantity, row);
    else prev.maxError = row.maxError;
  };
  const keys = checkedGradients(caps, cases[0]?.c.cell);
  for (const { name, c: original } of cases) {
    if (outsideCapabilities(caps, original) !== undefined) continue;
    const c = adaptCase(caps, original);
    try {
      const shared = await cache.get(`${name}${caps.lastStepOnly ? ' last step' : ''}`, c);
      const r = await checkDirectional(backend, cache.reference, c, {
        keys,
        directions: shared.directions,
        numeric: shared.numeric,
        referenceHs: shared.hs,
      });
      add('directional hs', name, r.forward.error, r.forward.allowed, r.forward.ok);
      for (const g of r.gradients) add(`directional d${g.key}`, name, g.error, g.allowed, g.ok);
    } catch (e) {
      const row = failedRow(backend.name, 'directional', `${name}: ${e instanceof Error ? e.message : String(e)}`);
      if (!worst.has('directional')) worst.set('directional', row);
    }
  }
  return [...worst.values()];
}
