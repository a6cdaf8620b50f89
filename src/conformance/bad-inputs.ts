/**
 * Bad inputs: a backend that declares validatesInput must refuse each before doing any work; every
 * backend, whatever it declares, must come back from each (by throwing or not) without hanging and leave
 * every input as it was. And a valid call must leave its inputs as they were too. The exported
 * checkForward / checkBackward give a plug-in all of this in one line per method.
 */
import type { Capabilities } from '../core/capabilities.js';
import type { RnnBackend, RnnOptions, RnnParams } from '../core/rnn.js';
import { tensor, type Tensor } from '../core/tensor.js';

const params = (F = 2, H = 3): RnnParams => ({
  wx: tensor(
    [F, H],
    Array.from({ length: F * H }, (_, i) => 0.1 * i - 0.2),
  ),
  wh: tensor(
    [H, H],
    Array.from({ length: H * H }, (_, i) => 0.05 * i - 0.2),
  ),
  b: tensor([H], [0.1, -0.2, 0.3].slice(0, H)),
});
const input = (B = 2, T = 4, F = 2): Tensor =>
  tensor(
    [B, T, F],
    Array.from({ length: B * T * F }, (_, i) => Math.sin(i)),
  );

type Call = { p: RnnParams; x: Tensor; o?: RnnOptions; hs?: Tensor; dhs?: Tensor };
const snapshot = (c: Call) =>
  JSON.stringify(
    [c.p.wx, c.p.wh, c.p.b, c.x, c.o?.h0, c.hs, c.dhs].map((t) => (t ? [t.shape, Array.from(t.data)] : null)),
  );

/** The guard's time limit turned the call into this: the backend did not answer. */
const hung = (e: unknown): boolean =>
  e instanceof Error && e.name === 'BackendFault' && /no answer within/.test(e.message);

export type BadInput = {
  what: string;
  /** It throws, and changes no input (for a backend that declares validatesInput). */
  check: (backend: RnnBackend) => Promise<void>;
  /** It comes back, thrown or not, within the time limit, and changes no input (for every backend). */
  survives: (backend: RnnBackend) => Promise<void>;
};

async function survives(backend: RnnBackend, what: string, call: Call): Promise<void> {
  const before = snapshot(call);
  try {
    await (call.hs === undefined
      ? backend.forward(call.p, call.x, call.o)
      : backend.backward(call.p, call.x, call.hs, call.dhs as Tensor, call.o));
  } catch (e) {
    // Refusing is fine; not answering in time is not.
    if (hung(e)) throw new Error(`${backend.name} hung on ${what}: ${(e as Error).message}`, { cause: e });
  }
  if (snapshot(call) !== before) throw new Error(`${backend.name} changed an input when given ${what}`);
}

async function refuses(backend: RnnBackend, what: string, call: Call): Promise<void> {
  const before = snapshot(call);
  const run =
    call.hs === undefined
      ? () => backend.forward(call.p, call.x, call.o)
      : () => backend.backward(call.p, call.x, call.hs as Tensor, call.dhs as Tensor, call.o);
  let refused = false;
  try {
    await run();
  } catch (e) {
    if (hung(e)) throw new Error(`${backend.name} hung on ${what}: ${(e as Error).message}`, { cause: e });
    refused = true;
  }
  if (!refused)
    throw new Error(
      `${backend.name}.${call.hs === undefined ? 'forward' : 'backward'} accepted ${what}; it must throw (see checkForward / checkBackward)`,
    );
  if (snapshot(call) !== before) throw new Error(`${backend.name} changed an input while refusing ${what}`);
}

export function badInputs(caps: Capabilities): BadInput[] {
  const activation = caps.activations[0];
  const o = { activation };
  const hs = (B = 2, T = 4, H = 3) => tensor([B, T, H]);
  const cases: [string, Call][] = [
    ['x of the wrong rank', { p: params(), x: tensor([2, 2]), o }],
    ['x whose features do not match wx', { p: params(), x: input(2, 4, 3), o }],
    ['wh that is not H×H', { p: { ...params(), wh: tensor([2, 3]) }, x: input(), o }],
    ['b of the wrong length', { p: { ...params(), b: tensor([4]) }, x: input(), o }],
    ['a NaN in wx', { p: { ...params(), wx: tensor([2, 3], [0, 1, NaN, 0, 0, 0]) }, x: input(), o }],
    ['an Infinity in x', { p: params(), x: tensor([1, 1, 2], [Infinity, 0]), o }],
    ['an unknown activation', { p: params(), x: input(), o: { activation: 'sigmoid' as never } }],
    ['dhs of the wrong shape in backward', { p: params(), x: input(), o, hs: hs(), dhs: tensor([2, 3, 3]) }],
  ];
  if (caps.initialState)
    cases.push(['h0 of the wrong batch', { p: params(), x: input(), o: { ...o, h0: tensor([3, 3]) } }]);
  return cases.map(([what, call]) => ({
    what,
    check: (b) => refuses(b, what, call),
    survives: (b) => survives(b, what, call),
  }));
}

/** A valid forward and backward leave every input as it was. */
export async function leavesInputsUnchanged(b: RnnBackend, caps: Capabilities): Promise<void> {
  const o = { activation: caps.activations[0] };
  const call: Call = {
    p: params(),
    x: input(),
    o: caps.initialState ? { ...o, h0: tensor([2, 3], [0.1, 0.2, 0.3, -0.1, -0.2, -0.3]) } : o,
  };
  const dhs = tensor(
    [2, 4, 3],
    Array.from({ length: 24 }, (_, i) => Math.cos(i)),
  );
  const before = snapshot({ ...call, dhs });
  const hs = await b.forward(call.p, call.x, call.o);
  if (snapshot({ ...call, dhs }) !== before) throw new Error(`${b.name}.forward changed an input of a valid call`);
  if (caps.gradients.length === 0) return; // forward only
  const hsBefore = snapshot({ ...call, hs, dhs });
  await b.backward(call.p, call.x, hs, dhs, call.o);
  if (snapshot({ ...call, hs, dhs }) !== hsBefore)
    throw new Error(`${b.name}.backward changed an input of a valid call (x, a weight, h0, hs or dhs)`);
}
