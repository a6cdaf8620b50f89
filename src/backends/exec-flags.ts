/**
 * `--exec NAME=COMMAND`: a backend in another process, added to the registry for one command. COMMAND is
 * split into words as a POSIX shell would (quotes respected, $VARIABLES expanded), and nothing else of a
 * shell happens: no pipes, redirections or globs.
 */
import { parse } from 'shell-quote';
import { execEntry } from './exec.js';
import { RnnInputError } from '../core/errors.js';
import { BACKEND_NAME } from '../registry/checks.js';
import { getBackendEntry, registerBackend } from '../registry/registry.js';

const registered = new Map<string, string>();

/** NAME and the words of COMMAND, or an error that says what was expected. */
export function parseExec(flag: string): { name: string; command: string; args: string[] } {
  const eq = flag.indexOf('=');
  const name = eq < 0 ? '' : flag.slice(0, eq).trim();
  if (eq < 0 || !BACKEND_NAME.test(name)) {
    throw new RnnInputError(
      `--exec must be NAME=COMMAND with NAME of letters, digits, ".", "_" or "-"; got ${JSON.stringify(flag)}`,
    );
  }
  const words = parse(flag.slice(eq + 1), (key: string) => process.env[key] ?? '');
  if (words.some((w) => typeof w !== 'string')) {
    throw new RnnInputError(
      `--exec ${name}: COMMAND must be a program and its arguments, without shell operators or globs; got ${JSON.stringify(flag.slice(eq + 1))}`,
    );
  }
  const [command, ...args] = words as string[];
  if (command === undefined)
    throw new RnnInputError(`--exec ${name}: COMMAND is empty; e.g. --exec "${name}=/usr/bin/python3 my_rnn.py"`);
  return { name, command, args };
}

/** `--connect NAME=SOCKET`: NAME and the path of the socket a running backend serves on. */
export function parseConnect(flag: string): { name: string; socket: string } {
  const eq = flag.indexOf('=');
  const name = eq < 0 ? '' : flag.slice(0, eq).trim();
  const socket = flag.slice(eq + 1).trim();
  if (eq < 0 || !BACKEND_NAME.test(name) || socket === '') {
    throw new RnnInputError(
      `--connect must be NAME=SOCKET, the path of a Unix socket a running backend serves on; got ${JSON.stringify(flag)}`,
    );
  }
  return { name, socket };
}

/** Registers a backend per flag (the same flag twice in one process registers it once); returns the names. */
export function registerExec(flags: readonly string[], timeoutMs?: number, sockets: readonly string[] = []): string[] {
  const all = [...flags.map((flag) => ({ flag, socket: false })), ...sockets.map((flag) => ({ flag, socket: true }))];
  return all.map(({ flag, socket }) => {
    const parsed = socket ? parseConnect(flag) : parseExec(flag);
    const { name } = parsed;
    if (registered.get(name) === flag) return name;
    let taken = false;
    try {
      getBackendEntry(name);
      taken = true;
    } catch {
      // the name is free
    }
    if (taken)
      throw new RnnInputError(
        `--${socket ? 'connect' : 'exec'} ${name}: a backend named '${name}' is already registered; choose another NAME`,
      );
    const how = 'socket' in parsed ? { socket: parsed.socket } : { command: parsed.command, args: parsed.args };
    registerBackend(execEntry({ name, ...how, ...(timeoutMs === undefined ? {} : { timeoutMs }) }));
    registered.set(name, flag);
    return name;
  });
}
