import { parseArgs } from 'node:util';
import { FUZZ_PROPERTIES, FUZZ_SIZES, runFuzz, type FuzzProperty, type FuzzReport, type FuzzSizes } from '../run/fuzz.js';
import { backendHelp, BACKEND_OPTIONS, backendFlags, EXIT, intOption, parsed, reportUnavailable, UsageError, writeJson, type Io } from './common.js';

export const FUZZ_HELP = `Usage: rnn-harness fuzz [--runs N] [--seed S] [--path P] [--property NAME] [--sizes small|large]
                        [--shard I/N] [--backends a,b] [--plugin MODULE]... [--exec NAME=CMD]...
                        [--timeout-ms N] [--json FILE]

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

--sizes large draws shapes up to B 128, T 500, F 64, H 256 instead, T cut so that B·T·H·(F+H) stays
within 2^24 multiply-adds, with sizes around multiples of 4 and 8 and around powers of two drawn on
purpose (where blocked kernels and chunked batches break). The oracle is then the directional one
(finite differences of loops along random directions), on tanh; relu is fuzzed at large sizes on
float64 backends only. A case's values come from a seed, which the counterexample shows.

--shard I/N runs the I-th of N shards of the campaign: its properties (the oracle, then each backend's
agreement and saturation) are dealt out in turn, each runs all its cases with the same seed, so N shards
with one seed run exactly what one run would. Give every shard the same --seed, then combine their
--json files with rnn-harness merge.

Options:
  --runs N          runs per property (default 100)
  --seed S          the random seed (default: a fresh one, printed)
  --path P          replay one shrunk failure (with its --seed and --property)
  --property NAME   only this property: ${FUZZ_PROPERTIES.join(', ')} (default: all)
  --sizes S         small (default) or large
  --shard I/N       only the I-th of N shards (1 <= I <= N; give every shard the same --seed)
${backendHelp()}
  --json FILE       write { runs, seed, sizes, shard, properties, failures, notRun } as JSON
  -h, --help        this text

Exit codes: 0 nothing found, 1 a property failed, 2 bad usage.`;

export async function fuzz(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('fuzz', () =>
    parseArgs({
      args: argv, strict: true,
      options: {
        ...BACKEND_OPTIONS, runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' }, property: { type: 'string' },
        sizes: { type: 'string' }, shard: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return io.out(FUZZ_HELP), EXIT.ok;
  const runs = intOption('fuzz', 'runs', values.runs, 100);
  const seed = values.seed === undefined ? undefined : intOption('fuzz', 'seed', values.seed, 0, 0);
  if (values.path !== undefined && values.seed === undefined) throw new UsageError('rnn-harness fuzz: --path needs the --seed it was printed with');
  const property = values.property as FuzzProperty | undefined;
  if (property !== undefined && !FUZZ_PROPERTIES.includes(property)) throw new UsageError(`rnn-harness fuzz: --property must be one of ${FUZZ_PROPERTIES.join(', ')}; got ${JSON.stringify(values.property)}`);
  const sizes = values.sizes as FuzzSizes | undefined;
  if (sizes !== undefined && !FUZZ_SIZES.includes(sizes)) throw new UsageError(`rnn-harness fuzz: --sizes must be ${FUZZ_SIZES.join(' or ')}; got ${JSON.stringify(values.sizes)}`);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard !== undefined && values.seed === undefined) throw new UsageError('rnn-harness fuzz: --shard needs a --seed, the same for every shard, or the shards would fuzz different cases');
  const flags = await backendFlags('fuzz', values);
  const report = await runFuzz({
    ...(sizes === undefined ? {} : { sizes }), ...(shard === undefined ? {} : { shard }),
    backends: flags.backends, timeoutMs: flags.timeoutMs, runs, replayArgs: flags.loadArgs, progress: io.err,
    ...(seed === undefined ? {} : { seed }), ...(values.path === undefined ? {} : { path: values.path }), ...(property === undefined ? {} : { property }),
  });
  printFuzz(io, report);
  if (values.json !== undefined) await writeJson(values.json, report);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** I/N as { index, count }, 1 <= I <= N. */
function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new UsageError(`rnn-harness fuzz: --shard must be I/N with 1 <= I <= N, e.g. 2/4; got ${JSON.stringify(text)}`);
  return { index, count };
}

/** What `rnn-harness fuzz` prints for a report. */
export function printFuzz(io: Io, report: FuzzReport): void {
  const shard = report.shard === undefined ? '' : `, shard ${report.shard.index}/${report.shard.count}`;
  io.out(`rnn-harness fuzz: seed ${report.seed}, ${report.runs} runs per property, ${report.sizes} sizes${shard}`);
  for (const p of report.properties) {
    if (p.ok) io.out(`ok    ${p.name} on ${p.backend}: ${p.runs} cases, ${p.skipped} discarded, ${p.ms} ms`);
  }
  for (const f of report.failures) {
    if (f.property === 'create') {
      io.out(`FAIL  ${f.backend} could not be started: ${f.error}`);
      continue;
    }
    io.out(`FAIL  ${f.property} on ${f.backend} after ${f.runs} cases, shrunk ${f.shrinks} times`);
    io.out(`      seed ${f.seed}, path ${f.path}`);
    io.out(`      counterexample: ${f.shape}`);
    io.out(`      ${f.error}`);
    io.out(`      values: ${JSON.stringify(f.counterexample)}`);
    io.out(`      replay: ${f.replay}`);
    if (f.replays === false) {
      io.out('      note: this case passes on a freshly created backend: the failure depends on what earlier calls left');
      io.out('      behind (state kept between calls), so the replay may pass. Look for accumulators that are never reset.');
    }
  }
  for (const n of report.notRun) io.out(`not run: ${n.property} on ${n.backend}: ${n.reason}`);
  for (const w of report.warnings) io.out(`warning: ${w}`);
  reportUnavailable(io, report.unavailable);
  const n = report.failures.length;
  io.out(`memory: the process held at most ${report.maxRssMB} MB`);
  io.out(n === 0 ? 'nothing found' : `${n} propert${n === 1 ? 'y' : 'ies'} FAILED`);
}
