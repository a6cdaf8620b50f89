#!/usr/bin/env node
/** The `rnn-harness` command: main(argv) returns an exit code (0 ok, 1 a check failed, 2 bad usage). */
import { realpathSync } from 'node:fs';
import '../backends/builtin.js';
import { fileURLToPath } from 'node:url';
import { bench } from './bench.js';
import { check } from './check.js';
import { consoleIo, EXIT, UsageError, type Io } from './common.js';
import { demo } from './demo.js';
import { fuzz } from './fuzz.js';
import { history } from './history.js';
import { list } from './list.js';
import { merge } from './merge.js';
import { mutants } from './mutants.js';
import { pythonPath } from './python-path.js';
import { report } from './report.js';
import { train } from './train.js';

export const MAIN_HELP = `Usage: rnn-harness <command> [options]

Tells you, with evidence, whether a SimpleRNN implementation is right, and how fast it is.
Your own backend joins any command with --plugin MODULE (JavaScript) or --exec NAME=COMMAND (any language).

Commands:
  report  the main job: check + a short fuzz + bench --quick, written into reports/
  demo    the notebook's Problem 2 on every backend, 8 decimals
  check   a fixed suite: every backend against loops, and the gradient oracle
  fuzz    fast-check properties on random shapes, shrinking any failure
  bench   benchmark.js timings of every backend, side by side
  list    the registered backends and whether they run here
  history a folder of bench results as trends per backend, shape and op, regressions marked
  merge   check, fuzz and bench results from several folders (shards, machines) as one report
  mutants check and fuzz against the catalog of real RNN bugs: the harness's own verification power
  train   the notebook's ScratchSimpleRNNClassifier on real MNIST digits, on any backend
  python-path  the folder of rnn_harness.py, the Python adapter, for PYTHONPATH

Run 'rnn-harness <command> --help' for a command's options.
Exit codes: 0 ok, 1 a check failed, 2 bad usage.`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  report,
  demo,
  check,
  fuzz,
  bench,
  list,
  history,
  merge,
  mutants,
  train,
  'python-path': pythonPath,
};

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(MAIN_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.err(
      `rnn-harness: unknown command '${command}'; known: ${Object.keys(COMMANDS).join(', ')}. See rnn-harness --help.`,
    );
    return EXIT.usage;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\nSee rnn-harness ${command} --help.`);
      return EXIT.usage;
    }
    throw e;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`rnn-harness: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
