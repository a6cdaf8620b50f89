/**
 * check.md and fuzz.md: a run as Markdown for a CI job summary ($GITHUB_STEP_SUMMARY), as bench.md is
 * for the benchmark: the verdict first, a table, then every failure as the terminal shows it.
 */
import type { CheckReport } from '../run/check-plan.js';
import type { FuzzReport } from '../run/fuzz-plan.js';
import { checkFailureLines, checkVerdict } from './check-text.js';
import { fuzzFailureLines, fuzzVerdict } from './fuzz-text.js';

const cell = (s: string) => s.split('\n')[0]?.replace(/\|/g, '\\|') ?? '';
const block = (lines: readonly string[]) => ['```text', ...lines, '```', ''];
const mark = (ok: boolean) => (ok ? 'ok' : '**FAIL**');

export function checkMarkdown(report: CheckReport): string {
  const lines = ['# rnn-harness check', '', `**${checkVerdict(report)}**`, ''];
  lines.push(
    '| backend | quantity | error/tolerance | worst case | worst element | result |',
    '| --- | --- | ---: | --- | --- | --- |',
  );
  for (const r of report.rows) {
    const result = r.status === 'pass' || r.status === 'fail' ? mark(r.ok) : r.status;
    // NaN for a row with nothing compared ('not supported'), which a report read back from JSON has as null.
    const ratio = typeof r.worstRatio === 'number' && !Number.isNaN(r.worstRatio) ? r.worstRatio.toExponential(2) : '–';
    lines.push(
      `| ${r.backend} | ${r.quantity} | ${ratio} | ${cell(r.worstCase)} | ${r.worst?.element ?? ''} | ${result} |`,
    );
  }
  lines.push('');
  const details = checkFailureLines(report);
  if (details.length > 0)
    lines.push('## What failed, where and when', '', ...block(details.filter((l, i) => i > 0 || l !== '')));
  for (const u of report.unavailable) lines.push(`- ${u.name}: unavailable: ${u.reason ?? ''}`);
  return `${lines.join('\n')}\n`;
}

export function fuzzMarkdown(report: FuzzReport): string {
  const shard = report.shard === undefined ? '' : `, shard ${report.shard.index}/${report.shard.count}`;
  const lines = [
    '# rnn-harness fuzz',
    '',
    `**${fuzzVerdict(report)}**: seed ${report.seed}, ${report.runs} runs per property, ${report.sizes} sizes${shard}.`,
    '',
  ];
  lines.push('| property | backend | cases | discarded | ms | result |', '| --- | --- | ---: | ---: | ---: | --- |');
  for (const p of report.properties)
    lines.push(`| ${p.name} | ${p.backend} | ${p.runs} | ${p.skipped} | ${p.ms} | ${mark(p.ok)} |`);
  for (const f of report.failures.filter((x) => x.property === 'create'))
    lines.push(`| create | ${f.backend} | 0 | 0 | 0 | **FAIL** |`);
  lines.push('');
  if (report.failures.length > 0)
    lines.push('## Failures, with the line that replays each', '', ...block(report.failures.flatMap(fuzzFailureLines)));
  if (report.notRun.length > 0)
    lines.push('## Not run', '', ...report.notRun.map((n) => `- ${n.property} on ${n.backend}: ${n.reason}`), '');
  for (const u of report.unavailable) lines.push(`- ${u.name}: unavailable: ${u.reason ?? ''}`);
  return `${lines.join('\n')}\n`;
}
