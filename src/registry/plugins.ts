/**
 * Plug-ins: modules whose default export is a BackendEntry or an array of them, loaded by `--plugin
 * MODULE` (a file path, or the name of an installed package, both resolved from the working folder) and
 * registered, so that every command covers them. Each failure says which module and what was expected.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';
import { describeValue, RnnInputError } from '../core/errors.js';
import { checkEntry } from './checks.js';
import { getBackendEntry, registerBackend } from './registry.js';
import type { BackendEntry } from './types.js';

/** A plug-in that cannot be loaded: its module and why. */
export class PluginError extends RnnInputError {
  override name = 'PluginError';
}

const EXPECTED = 'a default export that is a BackendEntry { name, precision, create, … } or an array of them';

const looksLikePath = (spec: string) => spec.startsWith('.') || isAbsolute(spec) || /^[A-Za-z]:[\\/]/.test(spec);

/** The URL to import for `spec`, seen from `cwd`: an existing file, or an installed package. */
export function pluginUrl(spec: string, cwd = process.cwd()): string {
  if (typeof spec !== 'string' || spec.trim() === '')
    throw new PluginError(`--plugin: MODULE must be a file path or a package name; got ${describeValue(spec)}`);
  const file = resolve(cwd, spec);
  if (existsSync(file)) return pathToFileURL(file).href;
  if (looksLikePath(spec)) throw new PluginError(`--plugin ${spec}: no such file (looked for ${file})`);
  try {
    return resolveImport(spec, pathToFileURL(`${cwd}/`).href);
  } catch (e) {
    throw new PluginError(
      `--plugin ${spec}: neither a file nor a package installed in ${cwd} (${(e as Error).message.split('\n')[0]}); give a path such as ./${spec} or npm install ${spec}`,
    );
  }
}

/** Imports `spec` and returns its entries, validated; nothing is registered. */
export async function importPlugin(spec: string, cwd = process.cwd()): Promise<BackendEntry[]> {
  const url = pluginUrl(spec, cwd);
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    const hint = /\.(c|m)?ts$/.test(spec) ? ' (Node cannot import TypeScript: compile it to .js or .mjs first)' : '';
    throw new PluginError(
      `--plugin ${spec}: the module threw on import: ${e instanceof Error ? e.message : String(e)}${hint}`,
    );
  }
  const exported = mod.default;
  if (exported === undefined)
    throw new PluginError(`--plugin ${spec}: the module has no default export; expected ${EXPECTED}`);
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0)
    throw new PluginError(`--plugin ${spec}: the default export is an empty array; expected ${EXPECTED}`);
  return list.map((entry, i) => {
    try {
      return checkEntry('registerBackend', entry);
    } catch (e) {
      const which = Array.isArray(exported) ? `default export [${i}]` : 'default export';
      throw new PluginError(`--plugin ${spec}: ${which} is not a valid BackendEntry: ${(e as Error).message}`);
    }
  });
}

function registered(name: string): BackendEntry | undefined {
  try {
    return getBackendEntry(name);
  } catch {
    return undefined;
  }
}

/**
 * Loads and registers every plug-in; returns the names of the backends they added. A name that is taken
 * (by a built-in backend or another plug-in) is refused. Loading the same module twice in one process
 * registers its entries once (the module, and so its entries, are the same objects).
 */
export async function loadPlugins(specs: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const names: string[] = [];
  for (const spec of specs) {
    for (const entry of await importPlugin(spec, cwd)) {
      const existing = registered(entry.name);
      if (existing !== undefined && existing !== entry) {
        throw new PluginError(
          `--plugin ${spec}: a backend named '${entry.name}' is already registered${names.includes(entry.name) ? ' by another plug-in' : ''}; rename it`,
        );
      }
      if (existing === undefined) registerBackend(entry);
      names.push(entry.name);
    }
  }
  return names;
}
