import { parseArgs } from 'node:util';
import type { BenchReport } from '../report/format.js';
import type { CheckReport } from '../run/check.js';
import type { FuzzReport } from '../run/fuzz.js';
import { runReport } from '../report/main-job.js';
import { printReport } from './bench.js';
import { printCheck } from './check.js';
import {
  cellOption,
  backendHelp,
  BACKEND_OPTIONS,
  backendFlags,
  EXIT,
  intOption,
  jobsHelp,
  jobsOption,
  parsed,
  type Io,
} from './common.js';
import { printFuzz } from './fuzz.js';

export const REPORT_HELP = `Usage: rnn-harness report [--out DIR] [--cell rnn|lstm|gru|all] [--jobs N] [--backends a,b] [--plugin MODULE]...
                          [--exec NAME=CMD]... [--timeout-ms N] [--seed S]

The main job: check, a short fuzz (100 runs per property) and bench --quick, on every available backend,
for the SimpleRNN, the LSTM and the GRU, written into DIR (default reports/):
  check.json   the check table of every cell, each failure with where and when
  check.md     the same as Markdown, for a CI job summary
  fuzz.json    the SimpleRNN's fuzz: runs, seed, properties and failures
  fuzz.md      the same as Markdown
  bench.json   the SimpleRNN's benchmark.js statistics with the environment
  bench.md     the benchmark as Markdown tables
  bench.html   the benchmark as a self-contained page with SVG charts
  fuzz-lstm.json, bench-lstm.md, …: the same for the LSTM, and for the GRU (fuzz-gru.json, …)
A backend that does not declare a cell has a 'not supported' row in that cell's tables.
It prints each step as it goes.

Options:
  --out DIR         where to write (default reports)
  --cell CELL       all (the default), or only rnn, lstm or gru
${jobsHelp('backends and properties of check and fuzz')}
                    (bench always runs alone, in this process: timings must not share the machine)
${backendHelp()}
  --seed S          the fuzz seed (default: a fresh one, printed)
  -h, --help        this text

Exit codes: 0 everything agreed, 1 a check or property failed, 2 bad usage.`;

export async function report(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('report', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...BACKEND_OPTIONS,
        out: { type: 'string' },
        cell: { type: 'string' },
        seed: { type: 'string' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(REPORT_HELP), EXIT.ok);
  const seed = values.seed === undefined ? undefined : intOption('report', 'seed', values.seed, 0, 0);
  const jobs = jobsOption('report', values.jobs);
  const cell = values.cell === undefined ? 'all' : cellOption('report', values.cell);
  const flags = await backendFlags('report', values);
  io.out('== check');
  const result = await runReport({
    out: values.out ?? 'reports',
    jobs,
    backends: flags.backends,
    timeoutMs: flags.timeoutMs,
    replayArgs: flags.loadArgs,
    progress: io.err,
    cell,
    ...(seed === undefined ? {} : { seed }),
    onStep: (step, r, c) => {
      const named = c === undefined || c === 'rnn' ? '' : ` --cell ${c}`;
      if (step === 'check') printCheck(io, r as CheckReport);
      else if (step === 'fuzz') {
        io.out(`\n== fuzz${named}`);
        printFuzz(io, r as FuzzReport);
      } else {
        io.out(`\n== bench --quick${named}`);
        printReport(io, r as BenchReport);
      }
    },
  });
  io.out(
    `\nreport written to ${result.out}/: ${result.ok ? 'everything agreed' : 'a check or property FAILED (see above)'}`,
  );
  return result.ok ? EXIT.ok : EXIT.failed;
}
