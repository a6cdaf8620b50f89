import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_OPS, runBench, type BenchOp, type BenchResult } from '../bench/runner.js';
import { createBackend } from '../registry.js';
import { benchMarkdown, type BenchEnvironment } from '../report/markdown.js';
import type { Dims, RnnBackend } from '../rnn.js';
import { EXIT, intOption, parsed, reportUnavailable, selectBackends, table, UsageError, writeJson, type Io } from './common.js';

/** `--quick`: the notebook's case and the issue's reference shape, one round of 1 s each. */
export const QUICK_SHAPES: Dims[] = [
  { B: 1, T: 3, F: 2, H: 4 },
  { B: 32, T: 50, F: 32, H: 128 },
];

export const DEFAULT_SHAPES: Dims[] = [
  { B: 1, T: 3, F: 2, H: 4 },
  { B: 32, T: 50, F: 32, H: 128 },
  { B: 64, T: 50, F: 32, H: 128 },
];

export const BENCH_HELP = `Usage: rnn-harness bench [--quick] [--backends a,b] [--shapes BxTxFxH,...] [--ops forward,train]
                         [--rounds N] [--max-time S] [--json FILE] [--out DIR]

Times every available backend with benchmark.js, side by side in one process: for each shape and op,
the backends take turns for N rounds and each keeps its best round. Prints the mean time, benchmark.js's
relative margin of error, the sample count, GFLOP/s and the speedup over loops.
  forward  one forward pass
  train    forward + backward (a training step's RNN part)
GFLOP/s counts 2·B·T·H·(F+H) floating-point operations for forward and 6·B·T·H·(F+H) for train.

Options:
  --quick               shapes ${QUICK_SHAPES.map((s) => `${s.B}x${s.T}x${s.F}x${s.H}`).join(',')}, 1 round, --max-time 1
  --backends a,b        backends to time (default: every available backend)
  --shapes BxTxFxH,...  shapes (default: ${DEFAULT_SHAPES.map((s) => `${s.B}x${s.T}x${s.F}x${s.H}`).join(',')})
  --ops forward,train   operations (default: both)
  --rounds N            interleaved rounds per shape and op (default 2)
  --max-time S          benchmark.js maxTime per measurement, in seconds (default 2)
  --json FILE           write { environment, results } as JSON
  --out DIR             write DIR/bench.json and DIR/bench.md (Markdown tables for a CI job summary)
  -h, --help            this text

Timings depend on the machine and its load: compare ratios measured in one run, not figures across runs.`;

/** Versions of the engines and tools a benchmark depends on, as installed. */
async function packageVersions(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of ['benchmark', 'piscina', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']) {
    try {
      const file = require.resolve(`${name}/package.json`);
      out[name] = (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

function parseShapes(flag: string | undefined): Dims[] {
  if (flag === undefined) return DEFAULT_SHAPES;
  return flag.split(',').map((s) => {
    const dims = s.trim().split('x').map(Number);
    if (dims.length !== 4 || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
      throw new UsageError(`rnn-harness bench: --shapes must be a comma-separated list of BxTxFxH with positive integers; got ${JSON.stringify(s)}`);
    }
    const [B, T, F, H] = dims as [number, number, number, number];
    return { B, T, F, H };
  });
}

function parseOps(flag: string | undefined): BenchOp[] {
  if (flag === undefined) return [...BENCH_OPS];
  const ops = flag.split(',').map((s) => s.trim());
  for (const op of ops) {
    if (!BENCH_OPS.includes(op as BenchOp)) throw new UsageError(`rnn-harness bench: --ops must list forward and/or train; got ${JSON.stringify(op)}`);
  }
  return ops as BenchOp[];
}

export async function bench(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('bench', () =>
    parseArgs({
      args: argv, strict: true,
      options: {
        backends: { type: 'string' }, shapes: { type: 'string' }, ops: { type: 'string' }, rounds: { type: 'string' },
        'max-time': { type: 'string' }, json: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return io.out(BENCH_HELP), EXIT.ok;
  const quick = values.quick === true;
  const shapes = values.shapes === undefined && quick ? QUICK_SHAPES : parseShapes(values.shapes);
  const ops = parseOps(values.ops);
  const rounds = intOption('bench', 'rounds', values.rounds, quick ? 1 : 2);
  const maxTimeS = intOption('bench', 'max-time', values['max-time'], quick ? 1 : 2);
  const selection = await selectBackends('bench', values.backends);
  const backends: RnnBackend[] = [];
  for (const info of selection.run) backends.push(await createBackend(info.name));
  const live = process.stderr.isTTY === true;
  let results: BenchResult[];
  try {
    results = await runBench({ backends, shapes, ops, rounds, maxTimeS }, (done, total, what) => {
      const line = `[${done}/${total}] ${what}`;
      if (live) process.stderr.write(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
      else if (done < total) io.err(line);
    });
  } finally {
    for (const b of backends) await b.dispose();
  }
  const loops = (r: BenchResult) => results.find((o) => o.backend === 'loops' && o.op === r.op && o.shape === r.shape);
  const rows = results.map((r) => {
    const base = loops(r);
    return [
      r.backend, `${r.shape.B}x${r.shape.T}x${r.shape.F}x${r.shape.H}`, r.op, r.meanMs.toFixed(3), `±${r.rme.toFixed(1)}%`,
      String(r.samples), r.gflops.toFixed(2), base ? `${(base.meanMs / r.meanMs).toFixed(2)}x` : '-',
    ];
  });
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  io.out(`rnn-harness bench: node ${process.version}, ${cpu}, ${cpus().length} cores, ${rounds} interleaved round${rounds === 1 ? '' : 's'}, best round kept`);
  for (const line of table(['backend', 'shape BxTxFxH', 'op', 'mean ms', 'rme', 'samples', 'GFLOP/s', 'vs loops'], rows)) io.out(line);
  reportUnavailable(io, selection);
  const environment: BenchEnvironment = { node: process.version, cpu, cores: cpus().length, rounds, maxTimeS, packages: await packageVersions() };
  if (values.json !== undefined) await writeJson(values.json, { environment, results });
  if (values.out !== undefined) {
    await mkdir(values.out, { recursive: true });
    await writeJson(join(values.out, 'bench.json'), { environment, results });
    await writeFile(join(values.out, 'bench.md'), benchMarkdown(environment, results));
    io.out(`wrote ${join(values.out, 'bench.json')} and ${join(values.out, 'bench.md')}`);
  }
  return EXIT.ok;
}
