/**
 * `fuzz --sizes large`: shapes up to B 128, T 500, F 64, H 256, with a work budget per case, and the
 * sizes blocked kernels and chunked batches get wrong drawn on purpose. A case is drawn as its shape, its
 * options and a seed; its values come from scaledCase, so fast-check shrinks the shape (toward small) and
 * a counterexample is a few numbers rather than millions.
 */
import fc from 'fast-check';
import { resolveCapabilities } from '../core/capabilities.js';
import { checkDirectional } from './directional.js';
import type { Activation, RnnBackend } from '../core/rnn.js';
import { checkAgreement } from '../check/properties.js';
import { scaledCase } from '../check/scaled-case.js';
import type { RnnCase } from '../check/arbitraries.js';
import { GATES, type Cell } from '../core/kinds.js';

/** The largest sizes `fuzz --sizes large` draws: B 128, T 500, F 64, H 256. */
export const LARGE_LIMITS = { B: 128, T: 500, F: 64, H: 256 } as const;

/**
 * Multiply-adds B·T·H·(F+H) a case may have: T is cut to fit. 2^24 keeps a case of the oracle (about 40
 * forward passes of loops) under half a second here, so 20 cases of each property take about a minute.
 */
export const LARGE_WORK_BUDGET = 2 ** 24;

/**
 * Sizes drawn on purpose besides uniform ones: around multiples of 4 and 8 (the vector and block widths
 * of blocked kernels) and around the powers of two a batch is split at, so a chunk is one row more or less
 * than the others.
 */
const EDGES = [1, 2, 3, 5, 7, 9, 15, 17, 31, 33, 63, 65, 127, 129, 255];

const size = (max: number) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 1, max }), weight: 2 },
    { arbitrary: fc.constantFrom(...EDGES.filter((e) => e <= max)), weight: 1 },
  );

export type LargeConstraints = {
  /** A fixed activation (default: tanh and relu). */
  activation?: Activation;
  /** Always (true) or never (false) an initial state. */
  h0?: boolean;
  lastStepOnly?: boolean;
  /** Biases in ±this (default 0.5); 1e4 saturates every tanh (and every gate). */
  biasMagnitude?: number;
  /** The cell (default 'rnn'); a gated cell draws c0 (LSTM) or the reset gate's place (GRU). */
  cell?: Cell;
  /** A GRU's reset gate always after the product (a backend without the reset before). */
  resetAfter?: boolean;
};

/**
 * A large case: what the shape and seed give, with T cut to the work budget (a gated cell's 4 or 3 gate
 * blocks counted). A saturated GRU has bh equal to b, so that the two never cancel into an unsaturated gate.
 */
export function largeCase(c: LargeConstraints = {}): fc.Arbitrary<RnnCase> {
  const cell = c.cell ?? 'rnn';
  const activation =
    cell !== 'rnn' || c.activation !== undefined
      ? fc.constant(c.activation ?? 'tanh')
      : fc.constantFrom<Activation>('tanh', 'relu');
  const h0 = c.h0 === undefined ? fc.boolean() : fc.constant(c.h0);
  return fc
    .record({
      B: size(LARGE_LIMITS.B),
      T: size(LARGE_LIMITS.T),
      F: size(LARGE_LIMITS.F),
      H: size(LARGE_LIMITS.H),
      activation,
      h0,
      c0: fc.boolean(),
      resetAfter: c.resetAfter === undefined ? fc.boolean() : fc.constant(c.resetAfter),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ B, T, F, H, activation: a, h0: withH0, c0, resetAfter, seed }) => {
      const t = Math.max(1, Math.min(T, Math.floor(LARGE_WORK_BUDGET / (B * GATES[cell] * H * (F + H)))));
      const rc = scaledCase({ B, T: t, F, H }, a, seed, {
        h0: withH0,
        lastStepOnly: c.lastStepOnly === true,
        ...(c.biasMagnitude === undefined ? {} : { biasMagnitude: c.biasMagnitude }),
        ...(cell === 'rnn' ? {} : { cell }),
        ...(cell === 'lstm' ? { c0: withH0 && c0 } : {}),
        ...(cell === 'gru' ? { resetAfter } : {}),
      });
      if (cell === 'gru' && c.biasMagnitude !== undefined)
        rc.params.bh = { ...rc.params.b, data: rc.params.b.data.slice() };
      return { ...rc, recipe: { seed, ...(c.biasMagnitude === undefined ? {} : { biasMagnitude: c.biasMagnitude }) } };
    });
}

/**
 * relu at large sizes is left to float64 backends: among 10⁴–10⁶ pre-activations some lie within float32
 * rounding of the kink, where a float32 backend may rightly take the other branch.
 */
export const LARGE_RELU_NOTE =
  "relu at large sizes is fuzzed on float64 backends only: among 10⁴–10⁶ pre-activations some lie within float32 rounding of relu's kink, where the branch taken is rounding's choice";

function constraintsOf(backend: RnnBackend, extra: LargeConstraints = {}): LargeConstraints {
  const caps = resolveCapabilities(backend);
  const out: LargeConstraints = { ...extra };
  if (out.cell === 'gru' && !caps.gruResetBefore) out.resetAfter = true;
  if (out.activation === undefined) {
    if (caps.activations.length === 1) out.activation = caps.activations[0];
    else if (backend.precision !== 'float64') out.activation = 'tanh';
  }
  if (!caps.initialState) out.h0 = false;
  if (caps.lastStepOnly) out.lastStepOnly = true;
  return out;
}

/** Agreement with loops at large sizes, within the backend's declarations. */
export const largeAgreementProperty = (backend: RnnBackend, reference: RnnBackend, cell: Cell = 'rnn') =>
  fc.asyncProperty(largeCase(constraintsOf(backend, { cell })), (c) => checkAgreement(backend, reference, c));

/** Agreement where every tanh (and every gate) saturates (biases up to 1e4), at large sizes. */
export const largeSaturationProperty = (backend: RnnBackend, reference: RnnBackend, cell: Cell = 'rnn') =>
  fc.asyncProperty(largeCase(constraintsOf(backend, { activation: 'tanh', biasMagnitude: 1e4, cell })), (c) =>
    checkAgreement(backend, reference, c),
  );

/** loops' gradients against the directional oracle at large sizes (tanh: see DIRECTIONAL_KINK_MARGIN). */
export const largeOracleProperty = (reference: RnnBackend, cell: Cell = 'rnn') =>
  fc.asyncProperty(largeCase({ activation: 'tanh', cell }), async (c) => {
    const r = await checkDirectional(reference, reference, c, { seed: c.recipe?.seed ?? 1 });
    const bad = [r.forward.ok ? undefined : r.forward, ...r.gradients.filter((g) => !g.ok)].filter(
      (x) => x !== undefined,
    );
    if (!r.ok) {
      throw new Error(
        `${reference.name} disagrees with the directional oracle on B=${c.B} T=${c.T} F=${c.F} H=${c.H}: ${JSON.stringify(bad)}`,
      );
    }
  });
