import { parseArgs } from 'node:util';
import { checkLines } from '../report/check-text.js';
import { runCheck, type CheckReport } from '../run/check.js';
import { checkMarkdown } from '../report/summaries.js';
import {
  backendHelp,
  cellOption,
  BACKEND_OPTIONS,
  backendFlags,
  EXIT,
  jobsHelp,
  jobsOption,
  parsed,
  parseShard,
  readCostsFile,
  writeJson,
  writeOut,
  type Io,
} from './common.js';

export const CHECK_HELP = `Usage: rnn-harness check [--cell rnn|lstm|gru|all] [--large] [--jobs N] [--shard I/N] [--backends a,b] [--plugin MODULE]...
                         [--exec NAME=CMD]... [--timeout-ms N] [--json FILE] [--out DIR]

Runs a fixed suite on every available backend against the float64 reference 'loops':
Problem 2 of the notebook, and shapes with T = 1, B = 1, H != F and T = 64, each with tanh and relu,
with and without h0; hs and every gradient (dwx, dwh, db, dx, dh0). Every backend, loops included, is
also held to 41 forward cases and a gradient case from six other projects' test suites (Keras,
TensorFlow.js, ONNX, ONNX Runtime, TFLite, swift-apis), each with that project's tolerance. It also
checks loops' gradients against the finite-difference oracle. Prints one row per backend and quantity:
the largest error, the tolerance, and the case where the error was worst.

A backend is checked on what it declares (activations, gradients, lastStepOnly, initialState); what it
leaves out is a 'not supported' or 'not provided' row, never a pass. A backend that throws, hangs or
returns the wrong shape fails its rows and the others are still checked.

With --large it adds the bench's shapes (32x50x32x128, 64x100x64x256, 128x28x28x128, 8x500x16x64,
tanh, and the first again with every tanh saturated), where blocked kernels and chunked batches break:
every backend against loops, and every backend's gradients, loops' included, against the directional
oracle, finite differences of loops' forward along random directions (six forward passes per input
instead of four per number). Its rows are 'directional hs', 'directional dwx', …: the error of the
projection and what it is allowed. About a minute here for the fast backends; slow ones take longer.
With --cell lstm, gru or all, the gated cells get the same shapes ('large lstm 32x50x32x128 h0 c0', a
GRU's reset gate after and before the product), their rows named 'lstm directional dc0', ….

With --cell lstm or --cell gru it checks that cell instead: the same shapes with an LSTM without an
initial state, with h0 and with h0 and c0, a GRU with its reset gate after and before the product, each
with and without h0, and a case whose gates are all saturated (biases ±30); hs and every gradient (the
GRU's dbh and the LSTM's dc0 too) against loops, loops' gradients against finite differences, and 67
expectations from ONNX, ONNX Runtime, Keras and TensorFlow.js tests (data/GATED-PEER-CASES.md). Rows are
named 'lstm hs', 'gru dbh', …; a backend that does not declare the cell has a 'not supported' row.

Options:
  --cell CELL       rnn (the default), lstm, gru, or all three
  --large           also the bench's shapes, with the directional oracle (for every cell checked)
${jobsHelp('backends')}
  --shard I/N       only the I-th of N shards: the parts (each backend, then the oracle) dealt by cost;
                    merge the shards' check.json with rnn-harness merge
  --costs FILE      the cost of each part, a JSON array, for dealing the shards (what --jobs gives its
                    children; default: estimated)
${backendHelp()}
  --json FILE       also write the report as JSON
  --out DIR         write DIR/check.json and DIR/check.md (Markdown for a CI job summary)
  -h, --help        this text

Exit codes: 0 everything checked agrees, 1 a check failed (or a requested backend cannot run here),
2 bad usage (an unknown backend, a plug-in that cannot be loaded).`;

export async function check(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('check', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...BACKEND_OPTIONS,
        large: { type: 'boolean' },
        cell: { type: 'string' },
        json: { type: 'string' },
        out: { type: 'string' },
        jobs: { type: 'string' },
        shard: { type: 'string' },
        costs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(CHECK_HELP), EXIT.ok);
  const jobs = jobsOption('check', values.jobs);
  const shard = values.shard === undefined ? undefined : parseShard('check', values.shard);
  const costs = values.costs === undefined ? undefined : await readCostsFile('check', values.costs);
  const flags = await backendFlags('check', values);
  const report = await runCheck({
    backends: flags.backends,
    timeoutMs: flags.timeoutMs,
    large: values.large === true,
    ...(values.cell === undefined ? {} : { cell: cellOption('check', values.cell) }),
    progress: io.err,
    jobs,
    replayArgs: flags.loadArgs,
    ...(shard === undefined ? {} : { shard }),
    ...(costs === undefined ? {} : { costs }),
  });
  printCheck(io, report);
  if (values.json !== undefined) await writeJson(values.json, report);
  if (values.out !== undefined)
    for (const f of await writeOut(values.out, 'check', report, checkMarkdown(report))) io.err(`wrote ${f}`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** The check table and its notes, as `rnn-harness check` prints them. */
export function printCheck(io: Io, report: CheckReport): void {
  for (const line of checkLines(report)) io.out(line);
}
