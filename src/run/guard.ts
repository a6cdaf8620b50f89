/**
 * A guard around a backend under test, so that a misbehaving one becomes a failed row and never the end
 * of a run: every call gets a time limit, a throw (even a synchronous one) becomes a rejection, and a
 * result of the wrong kind or shape is refused with a message that says what was expected. NaN in a
 * result is left for the comparison to report (it names the element). A backend that once failed to
 * answer in time is not called again: its later calls reject at once, so a hung child or a lost promise
 * costs one timeout, not one per case.
 */
import { checkedGradients, gradientShapes, resolveCapabilities, type Capabilities } from '../core/capabilities.js';
import { describeValue } from '../core/errors.js';
import type { RnnBackend, RnnGradients, RnnOptions, RnnParams } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';

/** The default time a backend has for one call: generous, since tfjs-cpu takes seconds at bench sizes. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A backend under test that misbehaved: it hung past its time limit, or returned a result of the wrong kind or shape.
 */
export class BackendFault extends Error {
  override name = 'BackendFault';
}

/**
 * Settles with `work`, or rejects once `ms` have passed. The timer keeps the process alive on purpose: a
 * promise that never settles holds nothing open, and the process would otherwise exit mid-run.
 */
export async function withTimeout<T>(
  what: string,
  ms: number,
  work: () => Promise<T> | T,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new BackendFault(`${what}: no answer within ${ms} ms (--timeout-ms)`));
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws unless `t` is a tensor of exactly `shape`. */
function checkResult(what: string, t: unknown, shape: readonly number[]): void {
  const want = `a tensor of shape [${shape.join(',')}] with a Float64Array or Float32Array`;
  if (typeof t !== 'object' || t === null) throw new BackendFault(`${what} must be ${want}; got ${describeValue(t)}`);
  const { shape: s, data } = t as { shape?: unknown; data?: unknown };
  if (!Array.isArray(s) || s.length !== shape.length || s.some((d, i) => d !== shape[i])) {
    throw new BackendFault(
      `${what} must be ${want}; got shape ${Array.isArray(s) ? `[${s.join(',')}]` : describeValue(s)}`,
    );
  }
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array))
    throw new BackendFault(`${what}.data must be a Float64Array or Float32Array; got ${describeValue(data)}`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new BackendFault(`${what}.data.length must be ${n} for shape [${shape.join(',')}]; got ${data.length}`);
}

/** The sizes a call's results must have, read from its (already valid) inputs. */
function dimsOf(p: RnnParams, x: Tensor) {
  const [B, T, F] = x.shape as [number, number, number];
  // H from wh's rows: a gated cell's wx has G·H columns.
  return { B, T, F, H: p.wh.shape[0] as number, G: p.wx.shape[1] as number };
}

/** Options of guardBackend: the time limit of a call, the capabilities, the name, whether results are checked. */
export type GuardOptions = {
  timeoutMs?: number;
  capabilities?: Capabilities;
  /** The name the guarded backend goes by (default the inner backend's): a run names rows after entries. */
  name?: string;
  /** Check the kind and shape of every result (default true); false leaves only the time limit. */
  checkResults?: boolean;
};

/** A backend that keeps `inner`'s name, precision and declarations, with every call guarded. */
export function guardBackend(inner: RnnBackend, options: GuardOptions = {}): RnnBackend {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const caps = options.capabilities ?? resolveCapabilities(inner);
  let hung: string | undefined;
  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    if (hung !== undefined) throw new BackendFault(`${what}: not called, since ${hung}`);
    return withTimeout(
      what,
      timeoutMs,
      work,
      () => (hung = `${what}: no answer within ${timeoutMs} ms (--timeout-ms)`),
    );
  };
  const guarded: RnnBackend & { readonly inner: RnnBackend; readonly hung: string | undefined } = {
    inner,
    get hung() {
      return hung;
    },
    name: options.name ?? inner.name,
    precision: inner.precision,
    ...declarationsOf(caps),
    async forward(p: RnnParams, x: Tensor, o?: RnnOptions) {
      const hs = await call(`${inner.name}.forward`, () => inner.forward(p, x, o));
      if (options.checkResults === false) return hs;
      const { B, T, H } = dimsOf(p, x);
      checkResult(`${inner.name}.forward's result hs`, hs, [B, T, H]);
      return hs;
    },
    async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions) {
      const g = await call(`${inner.name}.backward`, () => inner.backward(p, x, hs, dhs, o));
      if (options.checkResults === false) return g;
      const keys = checkedGradients(caps, o?.cell);
      if (typeof g !== 'object' || g === null)
        throw new BackendFault(
          `${inner.name}.backward must resolve to { ${keys.join(', ')} }; got ${describeValue(g)}`,
        );
      const shapes = gradientShapes(dimsOf(p, x));
      for (const k of keys)
        checkResult(`${inner.name}.backward's gradient ${k}`, (g as Record<string, unknown>)[k], shapes[k]);
      return g as RnnGradients;
    },
    ...(inner.timeInProcess === undefined
      ? {}
      : {
          timeInProcess: (
            op: 'forward' | 'train',
            p: RnnParams,
            x: Tensor,
            dhs: Tensor,
            o: RnnOptions | undefined,
            repeat: number,
          ) =>
            call(`${inner.name}.timeInProcess`, () =>
              (inner.timeInProcess as NonNullable<RnnBackend['timeInProcess']>).call(inner, op, p, x, dhs, o, repeat),
            ),
        }),
    async dispose() {
      // A hung backend may never finish disposing either; give it the same time, then let it go.
      await withTimeout(`${inner.name}.dispose`, timeoutMs, () => inner.dispose());
    },
  };
  return guarded;
}

function declarationsOf(caps: Capabilities) {
  return {
    cells: caps.cells,
    gruResetBefore: caps.gruResetBefore,
    activations: caps.activations,
    gradients: caps.gradients,
    lastStepOnly: caps.lastStepOnly,
    initialState: caps.initialState,
    validatesInput: caps.validatesInput,
  };
}

/** Why a guarded backend stopped answering ('x.forward: no answer within N ms'), or undefined. */
export function hungReason(backend: RnnBackend): string | undefined {
  const h = (backend as { hung?: unknown }).hung;
  return typeof h === 'string' ? h : undefined;
}

/** The renderer of a guarded or plain backend that draws with a GPU API (gpujs-headlessgl), or undefined. */
export function rendererOf(backend: RnnBackend): string | undefined {
  const b = (backend as { inner?: RnnBackend }).inner ?? backend;
  const r = (b as { renderer?: unknown }).renderer;
  return typeof r === 'string' ? r : undefined;
}

/** What a backend says it computes with (an exec child's hello `engine`: library versions, BLAS), or undefined. */
export function engineOf(backend: RnnBackend): string | undefined {
  const b = (backend as { inner?: RnnBackend }).inner ?? backend;
  const e = (b as { engine?: unknown }).engine;
  return typeof e === 'string' ? e : undefined;
}
