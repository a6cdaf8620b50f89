/**
 * Files the package ships beside its code (data/, python/), found from this module whether it runs from
 * src/ (tests) or dist/src/ (the installed package).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder of rnn-harness's own package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'rnn-harness')
      return (root = dir);
  }
  throw new Error(`rnn-harness: cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
}

/** A path inside the package, e.g. packageFile('data', 'peer-cases.json'). */
export const packageFile = (...parts: string[]): string => join(packageRoot(), ...parts);
