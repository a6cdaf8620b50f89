/**
 * Backend variants: `NAME@key=value[+key=value…]` names backend NAME created with those options, as a
 * backend of its own, so that one engine with different settings is checked or timed side by side:
 * `rnn-harness bench --backends wasm@threads=1,wasm`. Values are numbers, true/false, or strings.
 */
import { RnnInputError } from '../core/errors.js';
import { getBackendEntry, isReloadable, markReloadable, registerBackend } from './registry.js';
import type { BackendEntry } from './types.js';

const parseValue = (v: string): unknown =>
  v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;

/** The options of a variant name, or undefined for a plain name. */
export function variantOf(name: string): { base: string; options: Record<string, unknown> } | undefined {
  const at = name.indexOf('@');
  if (at < 0) return undefined;
  const base = name.slice(0, at);
  const options: Record<string, unknown> = {};
  for (const pair of name.slice(at + 1).split('+')) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new RnnInputError(
        `--backends ${name}: a variant is NAME@key=value[+key=value…]; got ${JSON.stringify(pair)} after the @`,
      );
    options[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
  }
  return { base, options };
}

/** Registers each variant among `names` whose base is registered (once per process); plain names pass. */
export function registerVariants(names: readonly string[]): void {
  for (const name of names) {
    const v = variantOf(name);
    if (v === undefined) continue;
    let existing: BackendEntry | undefined;
    try {
      existing = getBackendEntry(name);
    } catch {
      existing = undefined;
    }
    if (existing !== undefined) continue;
    const base = getBackendEntry(v.base, `--backends ${name}`);
    const entry: BackendEntry = {
      ...base,
      name,
      description: `${base.description ?? base.name}, created with ${JSON.stringify(v.options)}`,
      checkOptions: { ...base.checkOptions, ...v.options },
      create: (options?: object) => base.create({ ...options, ...v.options }),
    };
    registerBackend(entry);
    // A child process given the same --backends makes the same variant, of the same base.
    if (isReloadable(base)) markReloadable(entry);
  }
}
