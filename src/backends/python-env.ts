/**
 * Finding a Python for the backends that run in one: the first of RNN_HARNESS_PYTHON, Debian's
 * /usr/bin/python3 and `python3` on PATH that has the modules a backend needs. A `python3` earlier on
 * PATH (pyenv, a virtualenv) may lack packages that Debian's has, so each candidate is asked. It is asked
 * whether it can find them (importlib's find_spec), not made to import them: importing torch takes about
 * 1.5 s, which every command that lists the backends would pay. A module that is found but fails to
 * import fails the backend's creation instead, with Python's message.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const found = new Map<string, Promise<string | undefined>>();

/** The candidates, in the order they are tried. */
export function pythonCandidates(): string[] {
  const own = process.env.RNN_HARNESS_PYTHON;
  return [...new Set([...(own ? [own] : []), '/usr/bin/python3', 'python3'])];
}

/** The first Python that imports every module of `modules`, or undefined. Asked once per process. */
export function findPython(modules: readonly string[]): Promise<string | undefined> {
  const key = modules.join(',');
  let p = found.get(key);
  if (p === undefined) {
    p = (async () => {
      for (const python of pythonCandidates()) {
        try {
          const find = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ${JSON.stringify(modules)}) else 1)`;
          await run(python, ['-c', find], { timeout: 60_000 });
          return python;
        } catch {
          // not this one
        }
      }
      return undefined;
    })();
    found.set(key, p);
  }
  return p;
}
