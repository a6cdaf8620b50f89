import { parseArgs } from 'node:util';
import {
  FUZZ_PROPERTIES,
  FUZZ_SIZES,
  runFuzz,
  type FuzzProperty,
  type FuzzReport,
  type FuzzSizes,
} from '../run/fuzz.js';
import { fuzzLines } from '../report/fuzz-text.js';
import { fuzzMarkdown } from '../report/summaries.js';
import type { Cell } from '../core/kinds.js';
import {
  backendHelp,
  cellOption,
  BACKEND_OPTIONS,
  backendFlags,
  EXIT,
  intOption,
  jobsHelp,
  jobsOption,
  parsed,
  parseShard,
  readCostsFile,
  UsageError,
  writeJson,
  writeOut,
  type Io,
} from './common.js';

export const FUZZ_HELP = `Usage: rnn-harness fuzz [--runs N] [--seed S] [--path P] [--no-shrink] [--property NAME] [--sizes small|large]
                        [--cell rnn|lstm|gru] [--shard I/N] [--jobs N] [--backends a,b] [--plugin MODULE]... [--exec NAME=CMD]...
                        [--timeout-ms N] [--json FILE] [--out DIR]

Property-based fuzzing with fast-check on random shapes (B 1..6, T 1..10, F 1..6, H 1..6), tanh and
relu, with and without h0:
  oracle     loops' gradients agree with finite differences (relu cases near the kink are discarded)
  agreement  each selected backend agrees with loops on hs and every gradient it declares
  saturation the same where every tanh pre-activation is beyond 88 in magnitude (catches a tanh that
             overflows to NaN); only for backends that support tanh
A backend is fuzzed within what it declares (activations, gradients, lastStepOnly, initialState); what
it leaves out is printed as not run. On a long run a progress line on stderr every few seconds gives the
cases run and the process's memory, and the end says the most memory the process held (maxRssMB in the
JSON): a leak shows while it grows. A failure is shrunk to a small case and printed with its seed,
path and the command that replays exactly that case (plug-ins included).

--sizes large draws shapes up to B 128, T 500, F 64, H 256 instead, T cut so that B·T·G·H·(F+H) stays
within 2^24 multiply-adds (G gate blocks: 1, 4 or 3), with sizes around multiples of 4 and 8 and around
powers of two drawn on purpose (where blocked kernels and chunked batches break). The oracle is then the
directional one (finite differences of loops along random directions), on tanh; relu is fuzzed at large
sizes on float64 backends only. A case's values come from a seed, which the counterexample shows.

--cell lstm or --cell gru fuzzes that cell instead: an LSTM with and without h0 and c0, a GRU with its
reset gate after and before the product, with and without h0; every gradient, the GRU's dbh and the
LSTM's dc0 included; saturation draws biases beyond 100 in magnitude, so that every gate saturates.
With --sizes large, the large shapes, T cut for the 4 or 3 gate blocks. A backend that does not declare
the cell is listed as not run.

--shard I/N runs the I-th of N shards of the campaign: its properties (the oracle, then each backend's
agreement and saturation) are dealt out by their estimated cost, the costliest first to the shard with the
least so far, so that each gets a mix; each runs all its cases with the same seed, so N shards with one
seed run exactly what one run would. Give every shard the same --seed, then combine their --json files
with rnn-harness merge. --jobs N does all of that on this machine: N shards in child processes, merged.

Options:
  --runs N          runs per property (default 100)
  --seed S          the random seed (default: a fresh one, printed)
  --path P          replay one shrunk failure (with its --seed and --property)
  --no-shrink       report the first failing case as drawn, without shrinking it
  --property NAME   only this property: ${FUZZ_PROPERTIES.join(', ')} (default: all)
  --sizes S         small (default) or large
  --cell CELL       rnn (default), lstm or gru
  --shard I/N       only the I-th of N shards (1 <= I <= N; give every shard the same --seed)
  --costs FILE      the cost of each property of the plan, a JSON array, for dealing the shards (what
                    --jobs gives its children; default: estimated)
${jobsHelp('properties')}
${backendHelp()}
  --json FILE       write { runs, seed, sizes, shard, properties, failures, notRun } as JSON
  --out DIR         write DIR/fuzz.json and DIR/fuzz.md (Markdown for a CI job summary)
  -h, --help        this text

Exit codes: 0 nothing found, 1 a property failed, 2 bad usage.`;

export async function fuzz(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('fuzz', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...BACKEND_OPTIONS,
        runs: { type: 'string' },
        seed: { type: 'string' },
        path: { type: 'string' },
        property: { type: 'string' },
        sizes: { type: 'string' },
        cell: { type: 'string' },
        shard: { type: 'string' },
        'no-shrink': { type: 'boolean' },
        jobs: { type: 'string' },
        costs: { type: 'string' },
        json: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(FUZZ_HELP), EXIT.ok);
  const runs = intOption('fuzz', 'runs', values.runs, 100);
  const seed = values.seed === undefined ? undefined : intOption('fuzz', 'seed', values.seed, 0, 0);
  if (values.path !== undefined && values.seed === undefined)
    throw new UsageError('rnn-harness fuzz: --path needs the --seed it was printed with');
  const property = values.property as FuzzProperty | undefined;
  if (property !== undefined && !FUZZ_PROPERTIES.includes(property))
    throw new UsageError(
      `rnn-harness fuzz: --property must be one of ${FUZZ_PROPERTIES.join(', ')}; got ${JSON.stringify(values.property)}`,
    );
  const sizes = values.sizes as FuzzSizes | undefined;
  if (sizes !== undefined && !FUZZ_SIZES.includes(sizes))
    throw new UsageError(
      `rnn-harness fuzz: --sizes must be ${FUZZ_SIZES.join(' or ')}; got ${JSON.stringify(values.sizes)}`,
    );
  const cell = values.cell === undefined ? undefined : (cellOption('fuzz', values.cell, false) as Cell);
  if (cell !== undefined && cell !== 'rnn' && sizes === 'large')
    throw new UsageError(
      `rnn-harness fuzz: --sizes large is for the SimpleRNN only so far; --cell ${cell} takes small sizes`,
    );
  const shard = values.shard === undefined ? undefined : parseShard('fuzz', values.shard);
  if (shard !== undefined && values.seed === undefined)
    throw new UsageError(
      'rnn-harness fuzz: --shard needs a --seed, the same for every shard, or the shards would fuzz different cases',
    );
  const jobs = jobsOption('fuzz', values.jobs);
  const costs = values.costs === undefined ? undefined : await readCostsFile('fuzz', values.costs);
  const flags = await backendFlags('fuzz', values);
  const report = await runFuzz({
    ...(sizes === undefined ? {} : { sizes }),
    ...(cell === undefined ? {} : { cell }),
    ...(shard === undefined ? {} : { shard }),
    ...(costs === undefined ? {} : { costs }),
    jobs,
    backends: flags.backends,
    timeoutMs: flags.timeoutMs,
    runs,
    replayArgs: flags.loadArgs,
    progress: io.err,
    ...(seed === undefined ? {} : { seed }),
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(values['no-shrink'] === true ? { shrink: false } : {}),
    ...(property === undefined ? {} : { property }),
  });
  printFuzz(io, report);
  if (values.json !== undefined) await writeJson(values.json, report);
  if (values.out !== undefined)
    for (const f of await writeOut(values.out, 'fuzz', report, fuzzMarkdown(report))) io.err(`wrote ${f}`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** What `rnn-harness fuzz` prints for a report. */
export function printFuzz(io: Io, report: FuzzReport): void {
  for (const line of fuzzLines(report)) io.out(line);
}
