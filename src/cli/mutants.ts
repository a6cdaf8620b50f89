import { parseArgs } from 'node:util';
import { CATALOG } from '../catalog/index.js';
import { PRECISIONS, type Precision } from '../core/rnn.js';
import { runMutants, type MutantRow, type MutantsReport } from '../run/mutants.js';
import { EXIT, intOption, jobsHelp, jobsOption, parsed, table, UsageError, writeJson, type Io } from './common.js';

export const MUTANTS_HELP = `Usage: rnn-harness mutants [--only a,b] [--runs N] [--seed S] [--precision float64|float32] [--jobs N] [--json FILE]

Runs check and fuzz against every entry of the bug catalog: backends with the bugs real scratch-RNN code
has (the notebook's own Problem 3 backward, gradients overwritten instead of accumulated, h_t for h_{t-1},
a tanh that overflows, …), then LSTM and GRU bugs modelled on public reports (an output gate's delta
without tanh, a GRU's reset applied before the product, gate orders of other frameworks, …), each checked
and fuzzed with its own cell. For each it prints whether it was caught (killed), by which check, the shape
of fuzz's shrunk counterexample and the time to the first catch. A verification harness is only as good
as the bugs it catches.

Options:
  --only a,b        only these catalog entries (default: all ${CATALOG.length})
  --runs N          fuzz runs per property (default 100)
  --seed S          fuzz seed (default 1)
  --precision P     the precision each buggy backend claims, and so the tolerance it is judged by
                    (default float64; with float32, 'float32-accumulation' is no bug and survives)
${jobsHelp('catalog entries')}
  --json FILE       write { mutants: [{ name, description, cell, source, killed, caughtBy,
                    counterexample, ms }] } (cell and source for a gated entry)
  -h, --help        this text

Exit codes: 0 every entry was caught, 1 one survived, 2 bad usage.`;

export async function mutants(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('mutants', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        only: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        precision: { type: 'string' },
        json: { type: 'string' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(MUTANTS_HELP), EXIT.ok);
  const runs = intOption('mutants', 'runs', values.runs, 100);
  const seed = intOption('mutants', 'seed', values.seed, 1, 0);
  const precision = (values.precision ?? 'float64') as Precision;
  if (!PRECISIONS.includes(precision))
    throw new UsageError(
      `rnn-harness mutants: --precision must be float64 or float32; got ${JSON.stringify(values.precision)}`,
    );
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = (only ?? []).filter((n) => !CATALOG.some((e) => e.name === n));
  if (unknown.length > 0)
    throw new UsageError(
      `rnn-harness mutants: --only names unknown entries ${unknown.join(', ')}; known: ${CATALOG.map((e) => e.name).join(', ')}`,
    );
  const jobs = jobsOption('mutants', values.jobs);
  const report = await runMutants({
    runs,
    seed,
    precision,
    jobs,
    progress: io.err,
    ...(only === undefined ? {} : { only }),
  });
  printMutants(io, report);
  if (values.json !== undefined) await writeJson(values.json, { precision, runs, seed, mutants: report.mutants });
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** What `rnn-harness mutants` prints for a report. */
export function printMutants(io: Io, report: MutantsReport): void {
  const shape = (r: MutantRow) =>
    r.counterexample
      ? `B=${r.counterexample.B} T=${r.counterexample.T} F=${r.counterexample.F} H=${r.counterexample.H} ${r.counterexample.cell ?? r.counterexample.activation}${r.counterexample.h0 ? ' h0' : ''}`
      : '-';
  io.out(
    `rnn-harness mutants: ${report.mutants.length} catalog entries, judged as ${report.precision}; fuzz ${report.runs} runs per property, seed ${report.seed}`,
  );
  for (const line of table(
    ['mutant', 'killed', 'caught by', 'shrunk counterexample', 'ms'],
    report.mutants.map((r) => [
      r.cell === undefined ? r.name : `${r.name} (${r.cell})`,
      r.killed ? 'yes' : 'SURVIVED',
      r.caughtBy.join(' ') || '-',
      shape(r),
      String(r.ms),
    ]),
  ))
    io.out(line);
  const survivors = report.mutants.filter((r) => !r.killed);
  io.out(
    survivors.length === 0
      ? `all ${report.mutants.length} killed`
      : `${survivors.length} SURVIVED: ${survivors.map((r) => r.name).join(', ')}`,
  );
}
