/**
 * The conformance suite as data: every test this project runs on its own backends, for one backend and
 * what it declares, with no test framework in sight. ./vitest.ts registers them with vitest (the
 * `rnn-harness/vitest` export); another runner needs only another such adapter.
 */
import fc from 'fast-check';
import { capabilityGaps, checkedGradients, type Capabilities, type SimpleGradientKey } from '../core/capabilities.js';
import {
  caseOptions,
  caseToJson,
  constraintsFor,
  describeCase,
  maskToLastStep,
  outsideCapabilities,
  rnnCase,
  type CaseConstraints,
  type RnnCase,
} from '../check/arbitraries.js';
import { gatedPeerCases, gatedPeerRnnCase, runGatedPeerCase } from '../check/gated-peer-cases.js';
import { compareTensors } from '../check/compare.js';
import {
  comparePeer,
  peerCases,
  peerGradientCases,
  peerRnnCase,
  runPeerCase,
  type PeerCase,
  type PeerGradientCase,
} from '../check/peer-cases.js';
import {
  assertAgrees,
  checkAgreement,
  GATED_SATURATED,
  saturationProperty,
  watchedProperty,
  type FailureWatch,
} from '../check/properties.js';
import { childDetails } from '../core/errors.js';
import { caseValues } from '../report/fuzz-text.js';
import { problem2Case } from '../check/suite.js';
import { toleranceFor } from '../check/tolerance.js';
import { PROBLEM2 } from '../fixtures/problem2.js';
import { gradientOf, type RnnBackend } from '../core/rnn.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { badInputs, leavesInputsUnchanged } from './bad-inputs.js';
import { combine, concatBatch, sliceBatch } from './tensors.js';

/** What each test of the conformance suite runs on: the backend (guarded and not), the reference, its capabilities. */
export type ConformanceContext = {
  /** The backend under test (guarded: time limit, result shapes). */
  backend: RnnBackend;
  /** The same backend with only the time limit: for bad inputs, where the results are the backend's to refuse. */
  unchecked: RnnBackend;
  /** The float64 reference, loops. */
  reference: RnnBackend;
  capabilities: Capabilities;
};

/** One test of the conformance suite: a name and what it runs, or a name and why it is skipped. */
export type ConformanceTest =
  | { name: string; run: (ctx: ConformanceContext) => Promise<void> }
  /** Left out by the backend's declarations: shown as skipped, with the reason, never as a pass. */
  | { name: string; skip: string };

/** Options of the conformance suite: runs and seed of its properties, or one failure to replay. */
export type ConformanceOptions = {
  /** Runs of every property (default: 200 for agreement, 50 for saturation, 100 for the others). */
  numRuns?: number;
  /** The base seed of the properties (default fixed, so that a run is repeatable). */
  seed?: number;
  /**
   * Replays one failure as its message printed it: only the test of that name runs, from that seed and
   * shrink path; the others are skipped, saying so.
   */
  replay?: { test: string; seed: number; path: string };
};

/** A failed property's case(s) as a person reads them: the shape and options, then every value. */
function describeCases(cases: readonly unknown[]): string[] {
  return cases.flatMap((c) => {
    const rc = c as RnnCase;
    if (typeof rc !== 'object' || rc === null || !('params' in rc)) return [`  ${fc.stringify(c).slice(0, 400)}`];
    return [`  ${describeCase(rc)}`, `  values: ${caseValues(caseToJson(rc))}`];
  });
}

/**
 * Runs a fast-check property; on failure throws the disagreement of the shrunk case (which element, got
 * and expected, error/tolerance), the case with its values, the first failing case before shrinking, and
 * the options of describeConformance that replay exactly this failure.
 */
async function holds<T extends [unknown, ...unknown[]]>(
  name: string,
  p: fc.IAsyncPropertyWithHooks<T>,
  runs: number,
  seed: number,
  replay: ConformanceOptions['replay'],
): Promise<void> {
  const again = replay?.test === name ? replay : undefined;
  const watch = (p as { watch?: FailureWatch }).watch;
  watch?.reset();
  const out = await fc.check(p, {
    numRuns: runs,
    seed: again?.seed ?? seed,
    ...(again === undefined ? {} : { path: again.path }),
  });
  if (!out.failed) return;
  const e = out.errorInstance;
  const first = watch?.first;
  const lines = [
    e instanceof Error ? e.message : String(e),
    `Counterexample, shrunk ${out.numShrinks} time(s) after ${out.numRuns} case(s):`,
    ...describeCases(out.counterexample ?? []),
  ];
  if (first !== undefined && out.counterexample?.[0] !== first.case) {
    lines.push(
      `First failing case, before shrinking (worst error/tolerance ${first.ratio.toExponential(2)}):`,
      `  ${describeCase(first.case)}`,
    );
  }
  const path = out.counterexamplePath ?? '';
  lines.push(
    `Replay this failure alone: describeConformance(entry, { replay: { test: ${JSON.stringify(name)}, seed: ${out.seed}, path: ${JSON.stringify(path)} } })`,
  );
  throw Object.assign(new Error(lines.join('\n')), childDetails(e));
}

/** The suite for a backend with these capabilities. */
export function conformanceTests(caps: Capabilities, options: ConformanceOptions = {}): ConformanceTest[] {
  const runs = (n: number) => options.numRuns ?? n;
  const seed = (k: number) => (options.seed ?? 20261129) + k;
  const within = (c: CaseConstraints = {}) => rnnCase(constraintsFor(caps, c));
  const tanh = caps.activations.includes('tanh');
  const noGradients =
    checkedGradients(caps).length === 0 ? 'the backend declares no gradients (forward only)' : undefined;
  const tests: ConformanceTest[] = [];
  const add = (name: string, run: (ctx: ConformanceContext) => Promise<void>, skip?: string) =>
    tests.push(skip === undefined ? { name, run } : { name, skip });

  add(
    "should reproduce the notebook's Problem 2 to 1e-8",
    async ({ backend }) => {
      const c = problem2Case();
      const hs = await backend.forward(c.params, c.x);
      const tol = Math.max(PROBLEM2.tolerance, toleranceFor(backend.precision, c).atol);
      const cmp = compareTensors(
        { shape: [4], data: hs.data.slice(-4) },
        { shape: [4], data: Float64Array.from(PROBLEM2.expectedLastH) },
        { atol: tol, rtol: 0 },
      );
      if (!cmp.ok)
        throw new Error(
          `Problem 2: the last hidden state is off by ${cmp.maxAbsError.toExponential(2)} (tolerance ${tol}); got ${[...hs.data.slice(-4)].join(' ')}`,
        );
    },
    tanh ? undefined : 'Problem 2 is tanh, which the backend does not support',
  );

  const property = (
    name: string,
    make: (ctx: ConformanceContext) => fc.IAsyncPropertyWithHooks<[RnnCase, ...RnnCase[]]>,
    n: number,
    k: number,
    skip?: string,
  ) => add(name, (ctx) => holds(name, make(ctx), runs(n), seed(k), options.replay), skip);

  property(
    'should agree with loops on hs and every gradient it declares',
    ({ backend, reference }) => watchedProperty(within(), (c) => checkAgreement(backend, reference, c)),
    200,
    1,
  );

  property(
    'should agree with loops where every tanh pre-activation saturates (|a| > 88)',
    ({ backend, reference }) => saturationProperty(backend, reference),
    50,
    6,
    tanh ? undefined : 'tanh not supported',
  );

  property(
    'should give the same results when the batch is split in two',
    ({ backend }) =>
      watchedProperty(within({ ranges: { B: [2, 6], T: [1, 10], F: [1, 6], H: [1, 6] } }), (c) =>
        batchSplit(backend, caps, c),
      ),
    100,
    2,
  );

  property(
    'should give gradients linear in dhs',
    ({ backend }) => fc.asyncProperty(within(), within(), (c, other) => linearInDhs(backend, caps, c, other)),
    100,
    3,
    noGradients,
  );

  property(
    'should be a dense layer f(x·wx + h0·wh + b) when T = 1',
    ({ backend }) =>
      watchedProperty(within({ ranges: { B: [1, 6], T: [1, 1], F: [1, 6], H: [1, 6] } }), (c) => denseAtT1(backend, c)),
    100,
    4,
  );

  property(
    'should give h = f(b) at every step when the weights are zero',
    ({ backend }) => watchedProperty(within(), (c) => zeroWeights(backend, c)),
    100,
    5,
  );

  const refuses = caps.validatesInput
    ? undefined
    : "the backend does not declare validatesInput: true (check and fuzz never send bad input: the harness's guard refuses it first)";
  for (const bad of badInputs(caps)) {
    add(`should refuse ${bad.what} and change no input`, ({ unchecked }) => bad.check(unchecked), refuses);
    if (refuses !== undefined)
      add(`should come back from ${bad.what} without hanging or changing an input`, ({ unchecked }) =>
        bad.survives(unchecked),
      );
  }
  add('should leave every input of a valid forward and backward unchanged', ({ unchecked }) =>
    leavesInputsUnchanged(unchecked, caps),
  );

  for (const p of peerCases()) {
    const skip =
      p.activation === 'tanh'
        ? tanh
          ? undefined
          : 'tanh not supported'
        : caps.activations.includes('relu')
          ? undefined
          : 'relu not supported';
    add(
      `should match ${p.name} from ${origin(p)} within the peer's tolerance`,
      ({ backend }) => peerForward(backend, p),
      skip ?? (p.h0 !== null && !caps.initialState ? 'h0 given: not supported' : undefined),
    );
  }
  for (const p of peerGradientCases()) {
    add(
      `should match the gradients of ${p.name} from ${origin(p)}`,
      ({ backend }) => peerGradients(backend, caps, p),
      tanh ? (caps.initialState ? noGradients : 'h0 given: not supported') : 'tanh not supported',
    );
  }
  for (const g of capabilityGaps(caps)) tests.push({ name: `${g.what}: ${g.status}`, skip: g.reason });
  // A backend of gated cells only: the SimpleRNN's tests (bad inputs included) are one skipped line.
  if (!caps.cells.includes('rnn'))
    tests.splice(0, tests.length, {
      name: 'SimpleRNN: not supported',
      skip: `the backend declares cells: ${caps.cells.join(', ')}`,
    });
  gatedTests(caps, property, add);
  const only = options.replay?.test;
  if (only === undefined) return tests;
  return tests.map((t) => ('run' in t && t.name !== only ? { name: t.name, skip: `replaying only "${only}"` } : t));
}

const origin = (p: PeerCase | PeerGradientCase) => p.source.split(' ')[0] as string;

/**
 * The tests of the gated cells the backend declares (`cells`): agreement with loops on random cases of the
 * cell, with every gate saturated, and the other frameworks' expectations; a cell it does not declare is
 * one skipped test that says so.
 */
function gatedTests(
  caps: Capabilities,
  property: (
    name: string,
    make: (ctx: ConformanceContext) => fc.IAsyncPropertyWithHooks<[RnnCase, ...RnnCase[]]>,
    n: number,
    k: number,
    skip?: string,
  ) => void,
  add: (name: string, run: (ctx: ConformanceContext) => Promise<void>, skip?: string) => void,
): void {
  for (const [k, cell] of (['lstm', 'gru'] as const).entries()) {
    const label = cell === 'lstm' ? 'LSTM' : 'GRU';
    if (!caps.cells.includes(cell)) {
      add(`${label}: not supported`, async () => {}, `the backend declares cells: ${caps.cells.join(', ')}`);
      continue;
    }
    // constraintsFor keeps a GRU without the reset gate before the product on reset-after cases.
    const within = (c: CaseConstraints = {}) => rnnCase(constraintsFor(caps, { cell, ...c }));
    property(
      `should agree with loops on the ${label}'s hs and every gradient it declares`,
      ({ backend, reference }) => watchedProperty(within(), (c) => checkAgreement(backend, reference, c)),
      100,
      10 + k,
    );
    property(
      `should agree with loops where every ${label} gate saturates (|bias| >= 100)`,
      ({ backend, reference }) =>
        watchedProperty(within(GATED_SATURATED), (c) => checkAgreement(backend, reference, c)),
      50,
      12 + k,
    );
    for (const p of gatedPeerCases(cell)) {
      add(
        `should match the ${label} case ${p.name} from ${p.project} within its tolerance`,
        async ({ backend }) => {
          const cmp = await runGatedPeerCase(backend, p);
          if (cmp.ratio > 1)
            throw new Error(
              `${p.name} (${p.project}): element ${cmp.index} is ${cmp.got} where ${cmp.expected} was expected; ` +
                `${cmp.mismatches} of ${cmp.size} elements disagree, worst error/tolerance ${cmp.ratio.toExponential(2)}`,
            );
        },
        outsideCapabilities(caps, gatedPeerRnnCase(p)),
      );
    }
  }
}

async function batchSplit(b: RnnBackend, caps: Capabilities, c: RnnCase): Promise<void> {
  const k = Math.floor(c.B / 2);
  const part = (from: number, to: number): RnnCase => ({
    ...c,
    B: to - from,
    x: sliceBatch(c.x, from, to),
    dhs: sliceBatch(c.dhs, from, to),
    h0: c.h0 && sliceBatch(c.h0, from, to),
  });
  const [p1, p2] = [part(0, k), part(k, c.B)];
  const hs = await b.forward(c.params, c.x, caseOptions(c));
  const hs1 = await b.forward(p1.params, p1.x, caseOptions(p1));
  const hs2 = await b.forward(p2.params, p2.x, caseOptions(p2));
  assertAgrees(b, c, 'hs of the two halves', concatBatch(hs1, hs2), hs);
  if (checkedGradients(caps).length === 0) return;
  const g = await b.backward(c.params, c.x, hs, c.dhs, caseOptions(c));
  const g1 = await b.backward(p1.params, p1.x, hs1, p1.dhs, caseOptions(p1));
  const g2 = await b.backward(p2.params, p2.x, hs2, p2.dhs, caseOptions(p2));
  for (const key of checkedGradients(caps)) {
    const summed = key === 'wx' || key === 'wh' || key === 'b';
    assertAgrees(
      b,
      c,
      summed ? `d${key} summed over halves` : `d${key} of the halves`,
      summed
        ? combine(1, gradientOf(g1, key, b.name), 1, gradientOf(g2, key, b.name))
        : concatBatch(gradientOf(g1, key, b.name), gradientOf(g2, key, b.name)),
      gradientOf(g, key, b.name),
    );
  }
}

async function linearInDhs(b: RnnBackend, caps: Capabilities, c: RnnCase, other: RnnCase): Promise<void> {
  const o = caseOptions(c);
  const hs = await b.forward(c.params, c.x, o);
  // A second upstream gradient of the same shape, drawn from the other case's values.
  const raw = tensor(
    c.dhs.shape,
    Array.from(c.dhs.data, (_, i) => other.dhs.data[i % other.dhs.data.length] as number),
  );
  const dhs2 = caps.lastStepOnly ? maskToLastStep(raw) : raw;
  const [alpha, beta] = [0.75, -1.5];
  const g1 = await b.backward(c.params, c.x, hs, c.dhs, o);
  const g2 = await b.backward(c.params, c.x, hs, dhs2, o);
  const g = await b.backward(c.params, c.x, hs, combine(alpha, c.dhs, beta, dhs2), o);
  for (const key of checkedGradients(caps))
    assertAgrees(
      b,
      c,
      `d${key} of a combination`,
      combine(alpha, gradientOf(g1, key, b.name), beta, gradientOf(g2, key, b.name)),
      gradientOf(g, key, b.name),
    );
}

const f = (activation: string, v: number) => (activation === 'tanh' ? Math.tanh(v) : Math.max(0, v));

async function denseAtT1(b: RnnBackend, c: RnnCase): Promise<void> {
  const { B, F, H } = c;
  const at = (t: Tensor | undefined, i: number) => (t ? (t.data[i] as number) : 0);
  const dense = new Float64Array(B * H);
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < H; j++) {
      let a = at(c.params.b, j);
      for (let k = 0; k < F; k++) a += at(c.x, i * F + k) * at(c.params.wx, k * H + j);
      for (let k = 0; k < H; k++) a += at(c.h0, i * H + k) * at(c.params.wh, k * H + j);
      dense[i * H + j] = f(c.activation, a);
    }
  }
  assertAgrees(b, c, 'hs against a dense layer', await b.forward(c.params, c.x, caseOptions(c)), {
    shape: [B, 1, H],
    data: dense,
  });
}

async function zeroWeights(b: RnnBackend, c: RnnCase): Promise<void> {
  const { B, T, F, H } = c;
  const hs = await b.forward({ wx: tensor([F, H]), wh: tensor([H, H]), b: c.params.b }, c.x, {
    activation: c.activation,
  });
  const expected = tensor(
    [B, T, H],
    Array.from({ length: B * T * H }, (_, i) => f(c.activation, c.params.b.data[i % H] as number)),
  );
  assertAgrees(b, c, 'hs with zero weights', hs, expected);
}

async function peerForward(b: RnnBackend, p: PeerCase): Promise<void> {
  const r = await runPeerCase(b, p);
  if (!(r.ratio <= 1)) {
    throw new Error(
      `${p.name}: element ${r.index} is off by ${r.maxError.toExponential(3)}, ${r.ratio.toFixed(2)}x the peer's tolerance (rtol ${p.expected.rtol}, atol ${p.expected.atol}); source: ${p.source}`,
    );
  }
}

async function peerGradients(b: RnnBackend, caps: Capabilities, p: PeerGradientCase): Promise<void> {
  const c = peerRnnCase(p);
  const o = caseOptions(c);
  const hs = await b.forward(c.params, c.x, o);
  const g = await b.backward(c.params, c.x, hs, caps.lastStepOnly ? maskToLastStep(c.dhs) : c.dhs, o);
  for (const k of checkedGradients(caps)) {
    const r = comparePeer(gradientOf(g, k, b.name).data, p.expected[`grad_${k as SimpleGradientKey}`], p.expected);
    if (!(r.ratio <= 1))
      throw new Error(
        `${p.name}: d${k}[${r.index}] is off by ${r.maxError.toExponential(3)}, ${r.ratio.toFixed(2)}x the peer's tolerance (atol ${p.expected.atol}); source: ${p.source}`,
      );
  }
}
