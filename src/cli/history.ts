import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MIN_CHANGE_PCT } from '../bench/compare.js';
import { RnnInputError } from '../core/errors.js';
import { changePct, formatMs } from '../report/format.js';
import { historyHtml } from '../report/history-html.js';
import { runHistory } from '../run/history.js';
import { EXIT, parsed, UsageError, writeJson, type Io } from './common.js';

export const HISTORY_HELP = `Usage: rnn-harness history DIR --out DIR [--min-change PCT] [--fail-on-regression]

Turns a folder of bench results (every *.json that bench --json or bench --out wrote, in any subfolder:
one per commit or day) into trends per backend, shape and op. Runs are ordered by their date. Each
result is compared with the run before by the rule of bench --compare: a regression is slower by more
than both runs' noise and by at least --min-change per cent. Writes:
  DIR/history.html  one chart per shape and op (time per call, log scale, a line per backend; red rings
                    for regressions, green for improvements), self-contained, nothing fetched
  DIR/history.json  { runs, series: [{ backend, shape, op, points: [{ run, meanMs, rme, verdict }] }] }
and prints every regression with its threshold (the larger of the noise and --min-change). Other JSON in the folder (check.json, fuzz.json) is left out and listed.

Options:
  --out DIR               where to write history.html and history.json (required)
  --min-change PCT        smallest change that counts (default ${DEFAULT_MIN_CHANGE_PCT})
  --fail-on-regression    exit 1 when the latest run has a regression against the one before
  -h, --help              this text

Exit codes: 0 written, 1 --fail-on-regression and the latest run regressed, 2 bad usage.`;

export async function history(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parsed('history', () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'min-change': { type: 'string' },
        'fail-on-regression': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(HISTORY_HELP), EXIT.ok);
  if (positionals.length !== 1)
    throw new UsageError(`rnn-harness history: name exactly one DIR of bench results; got ${positionals.length}`);
  if (values.out === undefined) throw new UsageError('rnn-harness history: --out DIR is required');
  const minChange = values['min-change'] === undefined ? DEFAULT_MIN_CHANGE_PCT : Number(values['min-change']);
  if (!Number.isFinite(minChange) || minChange < 0)
    throw new UsageError(
      `rnn-harness history: --min-change must be a number >= 0; got ${JSON.stringify(values['min-change'])}`,
    );
  let h;
  try {
    h = await runHistory(positionals[0] as string, minChange);
  } catch (e) {
    if (e instanceof RnnInputError)
      throw new UsageError(`rnn-harness history: ${e.message.replace(/^runHistory: /, '')}`);
    throw e;
  }
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'history.html'), historyHtml(h));
  await writeJson(join(values.out, 'history.json'), h);
  io.out(
    `rnn-harness history: ${h.runs.length} runs (${h.runs[0]?.date} … ${h.runs.at(-1)?.date}), ${h.series.length} series`,
  );
  const last = h.runs.length - 1;
  let latest = 0;
  for (const s of h.series) {
    for (const p of s.points) {
      if (p.verdict !== 'regression') continue;
      if (p.run === last) latest++;
      io.out(
        `regression: ${s.backend} ${s.shape} ${s.op}, run ${p.run + 1} (${h.runs[p.run]?.label}): ${formatMs(p.meanMs)}, ${changePct(p.ratio ?? 1)} against the run before, ${changePct(p.net ?? p.ratio ?? 1)} net of the machine's drift (threshold ${p.thresholdPct?.toFixed(0)} %)`,
      );
    }
  }
  for (const f of h.ignored) io.out(`left out (not a bench result): ${f}`);
  io.out(`wrote ${join(values.out, 'history.html')}, ${join(values.out, 'history.json')}`);
  return values['fail-on-regression'] === true && latest > 0 ? EXIT.failed : EXIT.ok;
}
