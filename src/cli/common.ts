/** What the CLI commands share: output, usage errors, backend selection, tables, JSON files. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { registerExec } from '../backends/exec-flags.js';
import { loadPlugins } from '../registry/plugins.js';
import { registerVariants } from '../registry/variants.js';
import { backendEntries, getBackendEntry, markReloadable } from '../registry/registry.js';
import type { BackendInfo } from '../registry/types.js';
import { CELLS, type Cell } from '../core/kinds.js';
import { DEFAULT_TIMEOUT_MS } from '../run/guard.js';
import { AUTO_JOBS_MIN_MS, defaultJobs, type JobsOption } from '../run/jobs.js';
import { sci, table, unavailableLines } from '../report/text.js';

export type Io = { out: (line: string) => void; err: (line: string) => void };

export const consoleIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Bad usage: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs a util.parseArgs call, turning its errors into UsageErrors. */
export function parsed<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(`rnn-harness ${command}: ${(e as Error).message}`);
  }
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(command: string, name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(
      `rnn-harness ${command}: --${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** --cell: 'rnn', 'lstm', 'gru' or (withAll) 'all', or a UsageError. */
export function cellOption(command: string, value: string, withAll = true): Cell | 'all' {
  const allowed: readonly string[] = withAll ? [...CELLS, 'all'] : CELLS;
  if (!allowed.includes(value))
    throw new UsageError(
      `rnn-harness ${command}: --cell must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`,
    );
  return value as Cell | 'all';
}

/** --jobs N: child processes for the campaign; 'auto' when not given. */
export const jobsOption = (command: string, value: string | undefined): JobsOption =>
  value === undefined ? 'auto' : intOption(command, 'jobs', value, 1);

/** --jobs in a command's --help; `what` says what is dealt, e.g. 'properties'. */
export const jobsHelp = (what: string) =>
  `  --jobs N          child processes to run it in (1: this process). Default: the number of cores (here
                    ${defaultJobs()}) when the work is estimated at ${AUTO_JOBS_MIN_MS / 1000} s or more, else 1 (a child costs about
                    half a second to start). The ${what} are dealt by what they cost in past runs
                    (kept in node_modules/.cache/rnn-harness), else by an estimate from each backend's
                    kind, the costliest first to the job with the least so far; the output is what one
                    process would print, in the same order; a child that crashes or hangs fails its
                    ${what}, with the reason, and the others finish`;

/** I/N as { index, count }, 1 <= I <= N, or a UsageError. */
export function parseShard(command: string, text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count)
    throw new UsageError(
      `rnn-harness ${command}: --shard must be I/N with 1 <= I <= N, e.g. 2/4; got ${JSON.stringify(text)}`,
    );
  return { index, count };
}

/** A JSON array of numbers >= 0 (--costs FILE), or a UsageError. */
export async function readCostsFile(command: string, file: string): Promise<number[]> {
  let costs: unknown;
  try {
    costs = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`rnn-harness ${command}: --costs ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(costs) || costs.some((c) => typeof c !== 'number' || !(c >= 0)))
    throw new UsageError(`rnn-harness ${command}: --costs ${file} must hold a JSON array of numbers >= 0`);
  return costs as number[];
}

/** The options every command that takes backends shares (parseArgs definitions). */
export const BACKEND_OPTIONS = {
  backends: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  exec: { type: 'string', multiple: true },
  connect: { type: 'string', multiple: true },
  'timeout-ms': { type: 'string' },
} as const;

/** Their lines in a command's --help, the descriptions starting after `width` + 4 columns. */
export function backendHelp(width = 16): string {
  const rows: [string, string[]][] = [
    [
      '--backends a,b',
      [
        'only these backends (default: every registered backend); NAME@key=value[+key=value]',
        'is backend NAME created with those options, e.g. wasm@threads=1',
      ],
    ],
    [
      '--plugin MODULE',
      [
        'load more backends from MODULE, a file (./my-rnn.mjs) or an installed package',
        'whose default export is a BackendEntry or an array of them; repeatable',
      ],
    ],
    [
      '--exec NAME=CMD',
      [
        'a backend in another process: CMD speaks the exec protocol (docs/PROTOCOL.md),',
        'e.g. --exec "mine=/usr/bin/python3 my_rnn.py"; repeatable',
      ],
    ],
    [
      '--connect NAME=SOCK',
      [
        'a backend that is already running and serves the exec protocol on the Unix socket',
        'SOCK (rnn_harness.check does this from a notebook); repeatable',
      ],
    ],
    ['--timeout-ms N', [`time limit of one backend call, after which it fails (default ${DEFAULT_TIMEOUT_MS})`]],
  ];
  return rows
    .map(([flag, lines]) => lines.map((l, i) => `  ${(i === 0 ? flag : '').padEnd(width)}  ${l}`).join('\n'))
    .join('\n');
}

export type BackendFlags = {
  /** The backends asked for, or undefined for every registered one. */
  backends: string[] | undefined;
  timeoutMs: number | undefined;
  /** The flags that load the same backends again, for a replay line. */
  loadArgs: string[];
};

/**
 * Loads the plug-ins and checks the backend names of a command's flags; a module that cannot be loaded,
 * an unknown name or a bad number is a UsageError (exit 2).
 */
export async function backendFlags(
  command: string,
  values: {
    backends?: string | undefined;
    plugin?: string[] | undefined;
    exec?: string[] | undefined;
    connect?: string[] | undefined;
    'timeout-ms'?: string | undefined;
  },
): Promise<BackendFlags> {
  const plugins = values.plugin ?? [];
  const execs = values.exec ?? [];
  const timeoutMs =
    values['timeout-ms'] === undefined
      ? undefined
      : intOption(command, 'timeout-ms', values['timeout-ms'], DEFAULT_TIMEOUT_MS);
  try {
    // A child process of --jobs gets these flags too, so it has these backends as well.
    const loaded = [...(await loadPlugins(plugins)), ...registerExec(execs, timeoutMs, values.connect ?? [])];
    for (const name of loaded) markReloadable(getBackendEntry(name));
  } catch (e) {
    throw new UsageError(`rnn-harness ${command}: ${(e as Error).message}`);
  }
  let backends: string[] | undefined;
  if (values.backends !== undefined) {
    backends = values.backends
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (backends.length === 0)
      throw new UsageError(
        `rnn-harness ${command}: --backends must name at least one backend; got ${JSON.stringify(values.backends)}`,
      );
    try {
      registerVariants(backends);
    } catch (e) {
      throw new UsageError(`rnn-harness ${command}: ${(e as Error).message}`);
    }
    const known = backendEntries().map((e) => e.name);
    for (const n of backends) {
      if (!known.includes(n))
        throw new UsageError(
          `rnn-harness ${command}: --backends: unknown backend '${n}'; known: ${known.join(', ')}${plugins.length + execs.length + (values.connect?.length ?? 0) === 0 ? ' (a plug-in needs --plugin MODULE, a program --exec NAME=COMMAND)' : ''}`,
        );
    }
  }
  const connects = (values.connect ?? []).flatMap((c) => ['--connect', c]);
  return {
    backends,
    timeoutMs,
    loadArgs: [...plugins.flatMap((p) => ['--plugin', p]), ...execs.flatMap((e) => ['--exec', e]), ...connects],
  };
}

/** Prints the unavailable backends with their reasons. */
export function reportUnavailable(io: Io, unavailable: readonly BackendInfo[]): void {
  for (const line of unavailableLines(unavailable)) io.out(line);
}

export { sci, table };

/** Writes DIR/NAME.json and DIR/NAME.md (Markdown for a CI job summary); returns their paths. */
export async function writeOut(dir: string, name: string, value: unknown, markdown: string): Promise<string[]> {
  const files = [join(dir, `${name}.json`), join(dir, `${name}.md`)];
  await writeJson(files[0] as string, value);
  await writeFile(files[1] as string, markdown);
  return files;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
