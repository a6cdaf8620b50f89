import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MIN_CHANGE_PCT, readBaseline, type Baseline } from '../bench/compare.js';
import { STEAL_LIMIT_PCT } from '../bench/steal.js';
import { BENCH_OPS, PEAK_N, type BenchOp } from '../bench/runner.js';
import {
  baselineOf,
  COMPARE_HEADER,
  compareCells,
  compareRule,
  formatMs,
  inProcessNote,
  percent,
  shapeName,
  type BenchReport,
} from '../report/format.js';
import { benchHtml } from '../report/html.js';
import { benchMarkdown } from '../report/markdown.js';
import { ACTIVATIONS, type Activation, type Dims } from '../core/rnn.js';
import { CELLS, type Cell } from '../core/kinds.js';
import { DEFAULT_SHAPES, QUICK_SHAPES, runBench } from '../run/bench.js';
import { childLines } from '../report/fuzz-text.js';
import {
  backendHelp,
  BACKEND_OPTIONS,
  backendFlags,
  EXIT,
  intOption,
  parsed,
  reportUnavailable,
  table,
  UsageError,
  writeJson,
  type Io,
} from './common.js';

export { DEFAULT_SHAPES, QUICK_SHAPES };

export const BENCH_HELP = `Usage: rnn-harness bench [--quick] [--backends a,b] [--plugin MODULE]... [--exec NAME=CMD]... [--timeout-ms N]
                         [--shapes BxTxFxH,...] [--ops forward,train] [--activation tanh|relu]
                         [--cell rnn|lstm|gru]
                         [--rounds N] [--max-time S] [--json FILE] [--out DIR]
                         [--compare BASELINE.json [--min-change PCT] [--max-steal PCT] [--fail-on-regression]]

Times every available backend with benchmark.js, side by side in one process: for each shape and op,
the backends take turns for N rounds and each keeps its best round (interleaving spreads a slow phase of
the machine and JIT warm-up over all of them). Prints the mean time, benchmark.js's relative margin of
error, the sample count, GFLOP/s, the fraction of the machine limit and the speedup over loops.
  forward  one forward pass
  train    forward + backward (a training step's RNN part)
GFLOP/s counts 2·B·T·H·(F+H) floating-point operations for forward and 6·B·T·H·(F+H) for train.
The machine limit is the best GFLOP/s of a ${PEAK_N}x${PEAK_N} matrix product (2·n³ operations) over every
engine that offers one (loops' kernel, the wasm SIMD kernels, tfjs's tf.matMul), timed first in the
same run, each on one thread: a backend on several threads can pass 100 % of it.
Each backend is called once before it is timed; one that cannot start, throws, hangs or answers with
the wrong shape is a FAILED row with the reason, and the others are still timed.

Options:
  --quick               shapes ${QUICK_SHAPES.map(shapeName).join(',')}, 1 round, --max-time 1
${backendHelp(20)}
  --shapes BxTxFxH,...  shapes (default: ${DEFAULT_SHAPES.map(shapeName).join(',')})
  --ops forward,train   operations (default: both)
  --activation A        tanh or relu (default tanh); a backend without it is listed as not supported
  --cell C              rnn (default), lstm or gru (resetAfter): the cell every call runs; GFLOP/s
                        count its 4 or 3 gate blocks; a backend that does not declare it is listed as
                        not supported
  --rounds N            interleaved rounds per shape and op (default 2)
  --max-time S          benchmark.js maxTime per measurement, in seconds (default 2)
  --json FILE           write { environment, results, peaks, limit, comparison } as JSON
  --out DIR             write DIR/bench.json, DIR/bench.md (Markdown for a CI job summary) and
                        DIR/bench.html (self-contained page with SVG charts)
  --compare FILE        compare with a bench.json from an earlier run. A result is a regression only
                        when, against the other backends timed beside it (which takes out the
                        machine's own drift), it is slower by more than the larger of --min-change
                        and both runs' measured noise, and a rank test on the samples (Mann-Whitney U,
                        95 %) tells them apart (twice --min-change for calls under 5 ms or of under
                        10,000 floating-point operations); and only when its shape and op, timed
                        again in a new process in at least 3 rounds (a process can keep a slow
                        state for its whole life) while the host takes under 5 % of the CPU (steal time, which slows
                        a backend on two threads or behind a pipe far more than the others),
                        says so too; otherwise
                        'no change'. A backend whose every shape and op slowed together with all the
                        others is not told from a busier machine
  --min-change PCT      the smallest net change --compare calls (default ${DEFAULT_MIN_CHANGE_PCT}: reruns of the same code
                        with --quick moved by up to 1.6x net here; lower it on a quiet machine)
  --max-steal PCT       the share of the CPU the host may take (steal time, Linux) while a change is
                        measured again before that measurement confirms nothing (default ${STEAL_LIMIT_PCT}); a run
                        prints the steal it saw
  --fail-on-regression  exit 1 when --compare finds a regression
  -h, --help            this text

Timings depend on the machine and its load: compare ratios measured in one run, not figures across runs.
Exit codes: 0 done, 1 a backend FAILED (or a regression with --fail-on-regression), 2 bad usage.`;

function parseShapes(flag: string | undefined): Dims[] {
  if (flag === undefined) return DEFAULT_SHAPES;
  return flag.split(',').map((s) => {
    const dims = s.trim().split('x').map(Number);
    if (dims.length !== 4 || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
      throw new UsageError(
        `rnn-harness bench: --shapes must be a comma-separated list of BxTxFxH with positive integers; got ${JSON.stringify(s)}`,
      );
    }
    const [B, T, F, H] = dims as [number, number, number, number];
    return { B, T, F, H };
  });
}

function parseOps(flag: string | undefined): BenchOp[] {
  if (flag === undefined) return [...BENCH_OPS];
  const ops = flag.split(',').map((s) => s.trim());
  for (const op of ops) {
    if (!BENCH_OPS.includes(op as BenchOp))
      throw new UsageError(`rnn-harness bench: --ops must list forward and/or train; got ${JSON.stringify(op)}`);
  }
  return ops as BenchOp[];
}

function secondsOption(flag: string | undefined, fallback: number): number {
  if (flag === undefined) return fallback;
  const v = Number(flag);
  if (flag.trim() === '' || !Number.isFinite(v) || v <= 0)
    throw new UsageError(`rnn-harness bench: --max-time must be a number of seconds > 0; got ${JSON.stringify(flag)}`);
  return v;
}

function stealOption(flag: string | undefined): number {
  if (flag === undefined) return STEAL_LIMIT_PCT;
  const v = Number(flag);
  if (flag.trim() === '' || !Number.isFinite(v) || v <= 0 || v > 100)
    throw new UsageError(
      `rnn-harness bench: --max-steal must be a percentage in (0, 100]; got ${JSON.stringify(flag)}`,
    );
  return v;
}

function percentOption(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_MIN_CHANGE_PCT;
  const v = Number(flag);
  if (flag.trim() === '' || !Number.isFinite(v) || v < 0)
    throw new UsageError(`rnn-harness bench: --min-change must be a percentage >= 0; got ${JSON.stringify(flag)}`);
  return v;
}

export async function bench(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('bench', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...BACKEND_OPTIONS,
        shapes: { type: 'string' },
        ops: { type: 'string' },
        rounds: { type: 'string' },
        activation: { type: 'string' },
        cell: { type: 'string' },
        'max-time': { type: 'string' },
        json: { type: 'string' },
        out: { type: 'string' },
        quick: { type: 'boolean' },
        compare: { type: 'string' },
        'min-change': { type: 'string' },
        'max-steal': { type: 'string' },
        'fail-on-regression': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(BENCH_HELP), EXIT.ok);
  const quick = values.quick === true;
  const shapes = values.shapes === undefined && quick ? QUICK_SHAPES : parseShapes(values.shapes);
  const ops = parseOps(values.ops);
  const rounds = intOption('bench', 'rounds', values.rounds, quick ? 1 : 2);
  const maxTimeS = secondsOption(values['max-time'], quick ? 1 : 2);
  const minChangePct = percentOption(values['min-change']);
  const maxStealPct = stealOption(values['max-steal']);
  const activation = (values.activation ?? 'tanh') as Activation;
  if (!ACTIVATIONS.includes(activation))
    throw new UsageError(
      `rnn-harness bench: --activation must be tanh or relu; got ${JSON.stringify(values.activation)}`,
    );
  const cell = (values.cell ?? 'rnn') as Cell;
  if (!CELLS.includes(cell))
    throw new UsageError(`rnn-harness bench: --cell must be rnn, lstm or gru; got ${JSON.stringify(values.cell)}`);
  if (values['fail-on-regression'] === true && values.compare === undefined) {
    throw new UsageError('rnn-harness bench: --fail-on-regression needs --compare BASELINE.json to compare with');
  }
  let baseline: Baseline | undefined;
  if (values.compare !== undefined) {
    try {
      baseline = await readBaseline(values.compare);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const flags = await backendFlags('bench', values);
  const live = process.stderr.isTTY === true;
  const report = await runBench({
    backends: flags.backends,
    timeoutMs: flags.timeoutMs,
    replayArgs: flags.loadArgs,
    shapes,
    ops,
    rounds,
    maxTimeS,
    activation,
    cell,
    ...(baseline === undefined
      ? {}
      : {
          compare: {
            baseline: baseline.results,
            peaks: baseline.peaks,
            file: values.compare as string,
            minChangePct,
            maxStealPct,
            ...(baseline.stealPct === undefined ? {} : { baselineStealPct: baseline.stealPct }),
          },
        }),
    progress: (done, total, what) => {
      const line = `[${done}/${total}] ${what}`;
      if (live) process.stderr.write(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
      else if (done < total) io.err(line);
    },
  });
  printReport(io, report);
  if (values.json !== undefined) await writeJson(values.json, report);
  if (values.out !== undefined) {
    await mkdir(values.out, { recursive: true });
    await writeJson(join(values.out, 'bench.json'), report);
    await writeFile(join(values.out, 'bench.md'), benchMarkdown(report));
    await writeFile(join(values.out, 'bench.html'), benchHtml(report));
    io.out(`wrote ${['bench.json', 'bench.md', 'bench.html'].map((f) => join(values.out as string, f)).join(', ')}`);
  }
  const regressions = report.comparison?.rows.filter((r) => r.verdict === 'regression').length ?? 0;
  if (report.failures.length > 0) return EXIT.failed;
  return regressions > 0 && values['fail-on-regression'] === true ? EXIT.failed : EXIT.ok;
}

/** What `rnn-harness bench` prints for a report. */
export function printReport(io: Io, report: BenchReport): void {
  const env = report.environment;
  io.out(
    `rnn-harness bench: node ${env.node}, ${env.cpu}, ${env.cores} cores, ${env.rounds} interleaved round${env.rounds === 1 ? '' : 's'}, best round kept, ${env.cell === undefined ? `activation ${env.activation ?? 'tanh'}` : `cell ${env.cell}`}`,
  );
  for (const [name, renderer] of Object.entries(env.renderers ?? {})) io.out(`GL renderer of ${name}: ${renderer}`);
  for (const [name, engine] of Object.entries(env.engines ?? {})) io.out(`engine of ${name}: ${engine}`);
  if (env.stealPct !== undefined && env.stealPct >= 1)
    io.out(
      `the host took ${env.stealPct.toFixed(1)} % of this machine's CPU while it timed (steal time): these timings are noisier than usual`,
    );
  if (report.limit !== undefined) {
    io.out(
      `machine limit: ${report.limit.gflops.toFixed(2)} GFLOP/s (${report.limit.engine}, ${PEAK_N}x${PEAK_N}); ` +
        report.peaks.map((p) => `${p.engine} ${p.gflops.toFixed(2)}`).join(', '),
    );
  }
  const inProcess = report.results.some((r) => r.inProcessMs !== undefined);
  const rows = report.results.map((r) => {
    const base = baselineOf(report, r);
    return [
      r.backend,
      shapeName(r.shape),
      r.op,
      formatMs(r.meanMs),
      `±${r.rme.toFixed(1)}%`,
      String(r.samples),
      r.gflops.toFixed(2),
      r.fractionOfLimit === undefined ? '-' : percent(r.fractionOfLimit),
      base ? `${(base.meanMs / r.meanMs).toFixed(2)}x` : '-',
      ...(inProcess ? [inProcessNote(r) ?? '-'] : []),
    ];
  });
  for (const f of report.failures)
    rows.push([f.backend, f.shape ? shapeName(f.shape) : '-', f.op ?? '-', 'FAILED', '', '', '', '', f.reason]);
  for (const n of report.notSupported ?? [])
    rows.push([n.backend, '-', '-', 'not supported', '', '', '', '', n.reason]);
  const header = [
    'backend',
    'shape BxTxFxH',
    'op',
    'mean',
    'rme',
    'samples',
    'GFLOP/s',
    'of limit',
    'vs loops',
    ...(inProcess ? ['in its process (pipe)'] : []),
  ];
  for (const line of table(header, rows)) io.out(line);
  if (inProcess)
    io.out(
      '(mean: end to end, what a caller pays; in its process: the time a backend in another process measured itself, and the difference, the pipe)',
    );
  reportUnavailable(io, report.unavailable ?? []);
  for (const f of report.failures) {
    const lines = childLines(f);
    if (lines.length === 0) continue;
    io.out(
      `${f.backend}${f.shape ? ` ${shapeName(f.shape)}` : ''}${f.op ? ` ${f.op}` : ''}: ${f.reason.split('\n')[0]}`,
    );
    for (const l of lines) io.out(`  ${l}`);
  }
  if (report.failures.length > 0)
    io.out(
      `${report.failures.length} measurement${report.failures.length === 1 ? '' : 's'} FAILED (see above); the others were timed`,
    );
  const cmp = report.comparison;
  if (cmp !== undefined) {
    const regressions = cmp.rows.filter((r) => r.verdict === 'regression');
    io.out(
      `\ncompared with ${cmp.baseline}: ${cmp.rows.length} matched, ${regressions.length} regression${regressions.length === 1 ? '' : 's'}`,
    );
    io.out(compareRule(cmp.minChangePct, cmp.maxStealPct));
    if (cmp.baselineStealPct !== undefined && cmp.baselineStealPct >= (cmp.maxStealPct ?? STEAL_LIMIT_PCT))
      io.out(
        `The baseline was timed while the host took ${cmp.baselineStealPct.toFixed(1)} % of the CPU (steal time): its times may be slow, so nothing is called faster than it.`,
      );
    for (const line of table(
      COMPARE_HEADER,
      cmp.rows.map((r) => compareCells(r, cmp.maxStealPct)),
    ))
      io.out(line);
    if (cmp.unmatched.length > 0) io.out(`not in the baseline: ${cmp.unmatched.join(', ')}`);
  }
}
