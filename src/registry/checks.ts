/**
 * Validation of what other people's code hands the registry: a BackendEntry before it is registered,
 * and the object its create() returns before anyone calls it. Each refusal is an RnnInputError naming
 * the field, what was expected, what it got, and the fix.
 */
import { checkDeclarations } from '../core/capabilities.js';
import { describeValue, RnnInputError } from '../core/errors.js';
import type { BackendEntry } from './types.js';
import { PRECISIONS, type RnnBackend } from '../core/rnn.js';

/**
 * Backend names: what `--backends a,b` can select and a file name can hold. `@`, `=` and `+` are for
 * variants, NAME@key=value (see variants.ts).
 */
export const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9._@=+-]{0,63}$/;

const precisions = PRECISIONS.map((p) => `'${p}'`).join(' or ');
const refuse = (fn: string, what: string, expected: string, got: unknown, fix: string) =>
  new RnnInputError(`${fn}: ${what} must be ${expected}; got ${describeValue(got)}. ${fix}`);

/** Throws unless `entry` is a well-formed BackendEntry; returns it typed. */
export function checkEntry(fn: string, entry: unknown): BackendEntry {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw refuse(
      fn,
      'the entry',
      'an object { name, precision, create }',
      entry,
      'See "Your own backend, in detail" in docs/API.md.',
    );
  }
  const e = entry as Record<string, unknown>;
  if (typeof e.name !== 'string' || !BACKEND_NAME.test(e.name)) {
    throw refuse(
      fn,
      'entry.name',
      'a name of letters, digits, ".", "_" or "-" (at most 64, not starting with a symbol)',
      e.name,
      'Name the backend as --backends will select it.',
    );
  }
  const at = `entry '${e.name}'`;
  if (!PRECISIONS.includes(e.precision as never)) {
    throw refuse(
      fn,
      `${at}: precision`,
      precisions,
      e.precision,
      'Declare the precision the backend computes in; it sets the tolerance it is judged by.',
    );
  }
  if (typeof e.create !== 'function') {
    throw refuse(
      fn,
      `${at}: create`,
      'a function (options) => RnnBackend or a Promise of one',
      e.create,
      'Add create().',
    );
  }
  for (const f of ['availability', 'matmulProbe'] as const) {
    if (e[f] !== undefined && typeof e[f] !== 'function')
      throw refuse(fn, `${at}: ${f}`, 'a function when present', e[f], `Remove ${f} or make it a function.`);
  }
  if (e.description !== undefined && typeof e.description !== 'string') {
    throw refuse(fn, `${at}: description`, 'a string when present', e.description, 'Describe the backend in one line.');
  }
  if (e.checkOptions !== undefined && (typeof e.checkOptions !== 'object' || e.checkOptions === null)) {
    throw refuse(
      fn,
      `${at}: checkOptions`,
      'an object when present',
      e.checkOptions,
      'Pass the options create() takes for checking.',
    );
  }
  checkDeclarations(fn, `entry '${e.name}'`, e);
  return entry as BackendEntry;
}

/** Throws unless `created` (what `entry.create` returned) is an RnnBackend; returns it typed. */
export function checkCreated(fn: string, entry: BackendEntry, created: unknown): RnnBackend {
  const from = `the backend created by entry '${entry.name}'`;
  if (typeof created !== 'object' || created === null) {
    throw refuse(
      fn,
      from,
      'an object with name, precision, forward, backward and dispose',
      created,
      'Make create() return (or resolve to) the backend.',
    );
  }
  const b = created as Record<string, unknown>;
  for (const method of ['forward', 'backward', 'dispose'] as const) {
    if (typeof b[method] !== 'function') {
      throw refuse(
        fn,
        `${from}: ${method}`,
        'a method',
        b[method],
        `Implement ${method}() (see the RnnBackend interface).`,
      );
    }
  }
  if (typeof b.name !== 'string' || b.name.length === 0)
    throw refuse(fn, `${from}: name`, 'a non-empty string', b.name, `Give it a name, e.g. '${entry.name}'.`);
  if (!PRECISIONS.includes(b.precision as never))
    throw refuse(fn, `${from}: precision`, precisions, b.precision, 'Declare the precision it computes in.');
  checkDeclarations(fn, from, b);
  return created as RnnBackend;
}
