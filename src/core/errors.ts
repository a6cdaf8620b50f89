/**
 * Error factories. Every message names the function, the argument, what was expected and what it got,
 * e.g. `rnn.forward: x.shape[2] = 3 must equal wx.shape[0] = 2 (features)`.
 */

/** The error thrown for any input the harness refuses. */
export class RnnInputError extends Error {
  override name = 'RnnInputError';
}

/** `fn: arg must be expected; got got`. */
export function invalidArgument(fn: string, arg: string, expected: string, got: string): RnnInputError {
  return new RnnInputError(`${fn}: ${arg} must be ${expected}; got ${got}`);
}

/** `fn: a = av must equal b = bv (meaning)`. */
export function mismatch(fn: string, a: string, av: number, b: string, bv: number, meaning: string): RnnInputError {
  return new RnnInputError(`${fn}: ${a} = ${av} must equal ${b} = ${bv} (${meaning})`);
}

/** A short, safe description of any value for an error message. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/** What an error from a backend in another process carries besides its message. */
export type ChildDetails = {
  /** The child's traceback, its harness frames left out: the learner's file, line and code. */
  traceback?: string;
  /** What the child printed (print(), warnings) during the call that failed. */
  output?: string;
};

/** The child details of an error (see ChildDetails): only the fields it has. */
export function childDetails(e: unknown): ChildDetails {
  const { traceback, output } = (typeof e === 'object' && e !== null ? e : {}) as {
    traceback?: unknown;
    output?: unknown;
  };
  return {
    ...(typeof traceback === 'string' && traceback.trim() !== '' ? { traceback: traceback.trimEnd() } : {}),
    ...(typeof output === 'string' && output.trim() !== '' ? { output: output.trimEnd() } : {}),
  };
}
