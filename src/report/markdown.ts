/** bench.md: the benchmark as Markdown tables, fit for a CI job summary. */
import {
  baselineOf,
  COMPARE_HEADER,
  compareCells,
  compareRule,
  formatMs,
  inProcessNote,
  notTimed,
  percent,
  shapeName,
  type BenchReport,
} from './format.js';

export type { BenchEnvironment, BenchReport } from './format.js';

export function benchMarkdown(report: BenchReport): string {
  const env = report.environment;
  const lines = [
    '# rnn-harness bench',
    '',
    `${env.date}. Node ${env.node}, ${env.cpu}, ${env.cores} cores; ${env.rounds} interleaved round${env.rounds === 1 ? '' : 's'} per shape and op, ` +
      `best round kept; benchmark.js maxTime ${env.maxTimeS} s; ${env.cell === undefined ? `activation ${env.activation ?? 'tanh'}` : `cell ${env.cell}`}. Shapes are BxTxFxH. Speedups are ratios measured in this run.`,
    '',
  ];
  for (const [name, renderer] of Object.entries(env.renderers ?? {}))
    lines.push(`GL renderer of ${name}: ${renderer}`, '');
  for (const [name, engine] of Object.entries(env.engines ?? {})) lines.push(`Engine of ${name}: ${engine}`, '');
  if (report.limit !== undefined) {
    lines.push(
      `## Machine limit: ${report.limit.gflops.toFixed(2)} GFLOP/s`,
      '',
      `The fastest ${report.limit.n}x${report.limit.n} matrix product of any engine in this run; "of limit" below is a backend's GFLOP/s over it.`,
      '',
      '| engine | mean | ±rme | GFLOP/s |',
      '| --- | ---: | ---: | ---: |',
      ...report.peaks.map(
        (p) => `| ${p.engine} | ${formatMs(p.meanMs)} | ${p.rme.toFixed(1)}% | ${p.gflops.toFixed(2)} |`,
      ),
      '',
    );
  }
  for (const op of ['forward', 'train'] as const) {
    const rows = report.results.filter((r) => r.op === op);
    if (rows.length === 0) continue;
    const own = rows.some((r) => r.inProcessMs !== undefined);
    lines.push(
      `## ${op}`,
      '',
      `| backend | shape | mean (end to end) | ±rme | samples | GFLOP/s | of limit | vs loops |${own ? ' in its own process (pipe) |' : ''}`,
      `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |${own ? ' ---: |' : ''}`,
    );
    for (const r of rows) {
      const base = baselineOf(report, r);
      const speedup = base ? `${(base.meanMs / r.meanMs).toFixed(2)}x` : '–';
      const fraction = r.fractionOfLimit === undefined ? '–' : percent(r.fractionOfLimit);
      lines.push(
        `| ${r.backend} | ${shapeName(r.shape)} | ${formatMs(r.meanMs)} | ${r.rme.toFixed(1)}% | ${r.samples} | ${r.gflops.toFixed(2)} | ${fraction} | ${speedup} |${own ? ` ${inProcessNote(r) ?? '–'} |` : ''}`,
      );
    }
    if (own)
      lines.push(
        '',
        'A backend in another process is timed twice: end to end (what a caller pays, the pipe included) and by itself in its own process; the difference is the pipe.',
      );
    lines.push('');
  }
  for (const rows of notTimed(report)) {
    lines.push(
      '## Not timed',
      '',
      '| backend | shape | op | why |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
      '',
    );
  }
  const cmp = report.comparison;
  if (cmp !== undefined) {
    const regressions = cmp.rows.filter((r) => r.verdict === 'regression').length;
    lines.push(
      `## Compared with ${cmp.baseline}: ${regressions} regression${regressions === 1 ? '' : 's'}`,
      '',
      compareRule(cmp.minChangePct, cmp.maxStealPct),
      '',
      `| ${COMPARE_HEADER.join(' | ')} |`,
      `| ${COMPARE_HEADER.map((_, i) => (i >= 3 && i <= 8 ? '---:' : '---')).join(' | ')} |`,
      ...cmp.rows.map(
        (r) =>
          `| ${compareCells(r, cmp.maxStealPct)
            .map((c, i) => (i === 10 && r.verdict === 'regression' ? `**${c}**` : c))
            .join(' | ')} |`,
      ),
      '',
    );
    if (cmp.unmatched.length > 0) lines.push(`Not in the baseline: ${cmp.unmatched.join(', ')}.`, '');
  }
  lines.push(
    'Package versions: ' +
      Object.entries(env.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    '',
  );
  return lines.join('\n');
}
