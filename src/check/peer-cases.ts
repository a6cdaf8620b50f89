/**
 * Expected values from six other projects' own SimpleRNN tests (Keras, TensorFlow.js, ONNX, ONNX Runtime,
 * TFLite, swift-apis), transcribed into this project's convention with their origin, licence and the
 * peer's own tolerance: data/peer-cases.json, described in data/PEER-CASES.md. A backend that passes
 * them is held to what those projects assert, not only to this project's reference.
 */
import { readFileSync } from 'node:fs';
import type { Activation, RnnBackend } from '../core/rnn.js';
import { packageFile } from '../core/package-files.js';
import { tensor, type Tensor } from '../core/tensor.js';
import type { RnnCase } from './arbitraries.js';

type Tolerance = { rtol: number; atol: number };

/** One forward case: inputs, and the peer's expected hs (all steps) or last state, flat, row-major. */
export type PeerCase = {
  name: string;
  source: string;
  activation: Activation;
  B: number;
  T: number;
  F: number;
  H: number;
  x: number[];
  wx: number[];
  wh: number[];
  b: number[];
  h0: number[] | null;
  expected: Tolerance & { which: 'all' | 'last'; values: number[] };
  notes: string;
};

/** One gradient case: a forward case with dhs, and the peer's expected hs and gradients. */
export type PeerGradientCase = Omit<PeerCase, 'expected'> & {
  dhs: number[];
  expected: Tolerance & {
    hs: number[];
    grad_wx: number[];
    grad_wh: number[];
    grad_b: number[];
    grad_x: number[];
    grad_h0: number[];
  };
};

let loaded: { cases: PeerCase[]; gradient_cases: PeerGradientCase[] } | undefined;
const data = () =>
  (loaded ??= JSON.parse(readFileSync(packageFile('data', 'peer-cases.json'), 'utf8')) as {
    cases: PeerCase[];
    gradient_cases: PeerGradientCase[];
  });

/** The 41 forward cases. */
export const peerCases = (): readonly PeerCase[] => data().cases;
/** The gradient case(s). */
export const peerGradientCases = (): readonly PeerGradientCase[] => data().gradient_cases;

/** A peer case as the harness's RnnCase (dhs: the case's own, or zeros for a forward-only case). */
export function peerRnnCase(p: PeerCase | PeerGradientCase): RnnCase {
  const { B, T, F, H } = p;
  return {
    B,
    T,
    F,
    H,
    activation: p.activation,
    params: { wx: tensor([F, H], p.wx), wh: tensor([H, H], p.wh), b: tensor([H], p.b) },
    x: tensor([B, T, F], p.x),
    h0: p.h0 === null ? undefined : tensor([B, H], p.h0),
    dhs: tensor([B, T, H], 'dhs' in p ? p.dhs : undefined),
  };
}

/**
 * How far `got` is from the peer's `expected`: the worst |g − e| / (atol + rtol·|e|), at most 1 passes;
 * where it is worst (flat index, got and expected there) and how many elements are beyond the tolerance.
 */
export type PeerComparison = {
  ratio: number;
  maxError: number;
  index: number;
  got?: number;
  expected?: number;
  mismatches: number;
  size: number;
};

/** Compares a backend's values with a peer's expected ones under the peer's own tolerance. */
export function comparePeer(got: ArrayLike<number>, expected: readonly number[], tol: Tolerance): PeerComparison {
  const size = expected.length;
  if (got.length !== size) return { ratio: Infinity, maxError: Infinity, index: -1, mismatches: size, size };
  let [ratio, maxError, index, mismatches] = [0, 0, 0, 0];
  for (let i = 0; i < size; i++) {
    const e = expected[i] as number;
    const err = Math.abs((got[i] as number) - e);
    const r = err / (tol.atol + tol.rtol * Math.abs(e));
    if (!(r <= 1)) mismatches++;
    if (!(err <= maxError)) maxError = Number.isNaN(err) ? Infinity : err; // NaN counts as the worst
    if (!(r <= ratio)) [ratio, index] = [Number.isNaN(r) ? Infinity : r, i];
  }
  return { ratio, maxError, index, got: got[index] as number, expected: expected[index] as number, mismatches, size };
}

/** The last state [B,H] of hs [B,T,H]. */
export function lastStep(hs: Tensor, B: number, T: number, H: number): Float64Array {
  const out = new Float64Array(B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out[b * H + j] = hs.data[(b * T + T - 1) * H + j] as number;
  return out;
}

/** Runs a forward case on `backend` and compares with the peer's expected values. */
export async function runPeerCase(backend: RnnBackend, p: PeerCase): Promise<PeerComparison> {
  const c = peerRnnCase(p);
  const hs = await backend.forward(
    c.params,
    c.x,
    c.h0 === undefined ? { activation: c.activation } : { activation: c.activation, h0: c.h0 },
  );
  const got = p.expected.which === 'all' ? hs.data : lastStep(hs, p.B, p.T, p.H);
  return comparePeer(got, p.expected.values, p.expected);
}
