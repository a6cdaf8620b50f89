/**
 * runReport: the main job (`rnn-harness report`) as a function: check, a short fuzz and a quick bench on
 * the same backends, for every cell (the SimpleRNN, the LSTM and the GRU), written into one folder:
 * check.json and .md (every cell), then per cell fuzz.json and .md, bench.json, bench.md and bench.html,
 * a gated cell's with its name (fuzz-lstm.json, bench-gru.html, …).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { checkMarkdown, fuzzMarkdown } from './summaries.js';
import { join } from 'node:path';
import { benchHtml } from './html.js';
import { benchMarkdown } from './markdown.js';
import type { BenchReport } from './format.js';
import { runBench } from '../run/bench.js';
import { runCheck, type CheckReport } from '../run/check.js';
import { runFuzz, type FuzzReport } from '../run/fuzz.js';
import type { JobsOption } from '../run/jobs.js';
import type { BackendRef } from '../run/select.js';
import { checkedCells } from '../run/check-plan.js';
import type { Cell } from '../core/kinds.js';

/** Options of runReport: where to write, which backends, the fuzz seed and runs, jobs. */
export type ReportOptions = {
  /** Where to write (default 'reports'). */
  out?: string;
  backends?: readonly BackendRef[];
  /** The fuzz seed (default: a fresh one). */
  seed?: number;
  /** Fuzz runs per property (default 100). */
  runs?: number;
  /** The cells: 'all' (default) or one of them. */
  cell?: Cell | 'all';
  timeoutMs?: number;
  replayArgs?: readonly string[];
  /**
   * Child processes for check and fuzz (default 1; 'auto' as they have it); bench always runs alone in this process.
   */
  jobs?: JobsOption;
  /** Called as each step begins ('check', 'fuzz', 'bench --quick') and with the steps' own progress lines. */
  progress?: (line: string) => void;
  /** Called with each step's report as soon as it is done (the CLI prints it); fuzz and bench once per cell. */
  onStep?: (step: 'check' | 'fuzz' | 'bench', report: CheckReport | FuzzReport | BenchReport, cell?: Cell) => void;
};

/**
 * What `rnn-harness report` wrote: the check of every cell, a fuzz and a bench report per cell (in the
 * order rnn, lstm, gru), and whether everything agreed.
 */
export type MainReport = { ok: boolean; out: string; check: CheckReport; fuzz: FuzzReport[]; bench: BenchReport[] };

/** A file of one cell's step: bench.json for the SimpleRNN, bench-lstm.json for the LSTM. */
export const cellFile = (name: string, cell: Cell, ext: string): string =>
  `${name}${cell === 'rnn' ? '' : `-${cell}`}.${ext}`;

const writeJsonFile = (file: string, value: unknown) => writeFile(file, `${JSON.stringify(value, null, 2)}\n`);

/** `rnn-harness report` as a function: check, fuzz and bench --quick, written into one folder. */
export async function runReport(options: ReportOptions = {}): Promise<MainReport> {
  const out = options.out ?? 'reports';
  await mkdir(out, { recursive: true });
  const common = {
    ...(options.backends === undefined ? {} : { backends: options.backends }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  };
  const jobs = options.jobs ?? 1;
  const cells = checkedCells('runReport', options.cell ?? 'all');
  const check = await runCheck({
    ...common,
    jobs,
    cell: options.cell ?? 'all',
    ...(options.replayArgs === undefined ? {} : { replayArgs: options.replayArgs }),
  });
  await writeJsonFile(join(out, 'check.json'), check);
  await writeFile(join(out, 'check.md'), checkMarkdown(check));
  options.onStep?.('check', check);
  const fuzzes: FuzzReport[] = [];
  for (const cell of cells) {
    const fuzz = await runFuzz({
      ...common,
      jobs,
      cell,
      runs: options.runs ?? 100,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.replayArgs === undefined ? {} : { replayArgs: options.replayArgs }),
    });
    await writeJsonFile(join(out, cellFile('fuzz', cell, 'json')), fuzz);
    await writeFile(join(out, cellFile('fuzz', cell, 'md')), fuzzMarkdown(fuzz));
    options.onStep?.('fuzz', fuzz, cell);
    fuzzes.push(fuzz);
  }
  const { progress, ...benchCommon } = common;
  const benches: BenchReport[] = [];
  for (const cell of cells) {
    const bench = await runBench({
      ...benchCommon,
      quick: true,
      cell,
      ...(progress === undefined
        ? {}
        : { progress: (done, total, what) => done < total && progress(`[${done}/${total}] ${what}`) }),
    });
    await writeJsonFile(join(out, cellFile('bench', cell, 'json')), bench);
    await writeFile(join(out, cellFile('bench', cell, 'md')), benchMarkdown(bench));
    await writeFile(join(out, cellFile('bench', cell, 'html')), benchHtml(bench));
    options.onStep?.('bench', bench, cell);
    benches.push(bench);
  }
  return {
    ok: check.ok && fuzzes.every((f) => f.ok) && benches.every((b) => b.failures.length === 0),
    out,
    check,
    fuzz: fuzzes,
    bench: benches,
  };
}
