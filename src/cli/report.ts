import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bench } from './bench.js';
import { check } from './check.js';
import { EXIT, parsed, type Io } from './common.js';
import { fuzz } from './fuzz.js';

export const REPORT_HELP = `Usage: rnn-harness report [--out DIR] [--backends a,b] [--seed S]

The main job: check, a short fuzz (100 runs per property) and bench --quick, on every available backend,
written into DIR (default reports/):
  check.json   the check table
  fuzz.json    runs, seed, properties and failures
  bench.json   benchmark.js statistics with the environment
  bench.md     the benchmark as Markdown tables
  bench.html   the benchmark as a self-contained page with SVG charts
It prints each step as it goes.

Options:
  --out DIR       where to write (default reports)
  --backends a,b  only these backends (default: every registered backend)
  --seed S        the fuzz seed (default: a fresh one, printed)
  -h, --help      this text

Exit codes: 0 everything agreed, 1 a check or property failed, 2 bad usage.`;

export async function report(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('report', () =>
    parseArgs({
      args: argv, strict: true,
      options: { out: { type: 'string' }, backends: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) return io.out(REPORT_HELP), EXIT.ok;
  const out = values.out ?? 'reports';
  await mkdir(out, { recursive: true });
  const backends = values.backends === undefined ? [] : ['--backends', values.backends];
  io.out('== check');
  const checked = await check([...backends, '--json', join(out, 'check.json')], io);
  io.out('\n== fuzz');
  const seed = values.seed === undefined ? [] : ['--seed', values.seed];
  const fuzzed = await fuzz([...backends, ...seed, '--runs', '100', '--json', join(out, 'fuzz.json')], io);
  io.out('\n== bench --quick');
  const benched = await bench([...backends, '--quick', '--out', out], io);
  const worst = Math.max(checked, fuzzed, benched);
  io.out(`\nreport written to ${out}/: ${worst === EXIT.ok ? 'everything agreed' : 'a check or property FAILED (see above)'}`);
  return worst;
}
