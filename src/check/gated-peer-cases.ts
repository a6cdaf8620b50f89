/**
 * Expected values from other projects' own LSTM and GRU tests (ONNX, ONNX Runtime, Keras 3, TensorFlow.js),
 * translated to this project's layout with their origin, licence and the peer's tolerance:
 * data/gated-peer-cases.json, described in data/GATED-PEER-CASES.md.
 */
import { readFileSync } from 'node:fs';
import type { RnnBackend } from '../core/rnn.js';
import { packageFile } from '../core/package-files.js';
import { tensor, type Tensor } from '../core/tensor.js';
import type { RnnCase } from './arbitraries.js';
import { comparePeer, lastStep, type PeerComparison } from './peer-cases.js';

type Stored = { shape: number[]; data: number[] };

/** One case as stored: inputs in the contract's layout, and the peer's expected hs (or last h) and tolerance. */
export type GatedPeerCase = {
  name: string;
  project: string;
  path: string;
  url: string;
  license: string;
  cell: 'lstm' | 'gru';
  resetAfter?: boolean;
  B: number;
  T: number;
  F: number;
  H: number;
  params: { wx: Stored; wh: Stored; b: Stored; bh?: Stored };
  x: Stored;
  h0?: Stored;
  c0?: Stored;
  /** hs [B,T,H] or hT [B,H]; cT (an LSTM's last cell state) is not an output of the contract and is not checked. */
  expected: { hs?: Stored; hT?: Stored; cT?: Stored };
  tolerance: { atol: number; rtol: number };
  note: string;
};

let loaded: GatedPeerCase[] | undefined;

/** The cases of one cell (all 67 without one). */
export function gatedPeerCases(cell?: 'lstm' | 'gru'): readonly GatedPeerCase[] {
  loaded ??= (
    JSON.parse(readFileSync(packageFile('data', 'gated-peer-cases.json'), 'utf8')) as { cases: GatedPeerCase[] }
  ).cases;
  return cell === undefined ? loaded : loaded.filter((p) => p.cell === cell);
}

const t = (s: Stored): Tensor => tensor(s.shape, s.data);

/** A gated peer case as the harness's RnnCase (dhs zeros: the peers assert forward values only). */
export function gatedPeerRnnCase(p: GatedPeerCase): RnnCase {
  const { B, T, F, H } = p;
  return {
    B,
    T,
    F,
    H,
    cell: p.cell,
    activation: 'tanh',
    ...(p.cell === 'gru' ? { resetAfter: p.resetAfter !== false } : {}),
    params: {
      wx: t(p.params.wx),
      wh: t(p.params.wh),
      b: t(p.params.b),
      ...(p.params.bh === undefined ? {} : { bh: t(p.params.bh) }),
    },
    x: t(p.x),
    h0: p.h0 === undefined ? undefined : t(p.h0),
    ...(p.c0 === undefined ? {} : { c0: t(p.c0) }),
    dhs: tensor([B, T, H]),
  };
}

/** What a case asserts: 'hs' (every step) or 'h_T' (the last step), and its values. */
export function gatedPeerExpected(p: GatedPeerCase): { what: 'hs' | 'h_T'; values: number[]; shape: number[] } {
  const e = p.expected.hs ?? p.expected.hT;
  if (e === undefined) throw new Error(`gated peer case ${p.name} has neither hs nor hT`);
  return { what: p.expected.hs === undefined ? 'h_T' : 'hs', values: e.data, shape: e.shape };
}

/** Runs a case's forward on `backend` and compares it with the peer's expected values under the peer's tolerance. */
export async function runGatedPeerCase(backend: RnnBackend, p: GatedPeerCase): Promise<PeerComparison> {
  const c = gatedPeerRnnCase(p);
  const hs = await backend.forward(c.params, c.x, {
    cell: p.cell,
    ...(c.resetAfter === undefined ? {} : { resetAfter: c.resetAfter }),
    ...(c.h0 === undefined ? {} : { h0: c.h0 }),
    ...(c.c0 === undefined ? {} : { c0: c.c0 }),
  });
  const { what, values } = gatedPeerExpected(p);
  const { B, T, H } = p;
  const got = what === 'hs' ? hs.data : lastStep(hs, B, T, H);
  return comparePeer(got, values, p.tolerance);
}
