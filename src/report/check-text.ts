/** What `rnn-harness check` prints, as lines: for the terminal, for merge, and inside check.md. */
import { readable, readableRelative } from '../check/where.js';
import { failsWhenLine } from '../check/diagnosis.js';
import type { CheckRow } from '../check/suite.js';
import type { CheckReport } from '../run/check-plan.js';
import { childLines } from './fuzz-text.js';
import { sci, table, unavailableLines } from './text.js';

const RESULT = { pass: 'ok', fail: 'FAIL', 'not supported': 'not supported', 'not provided': 'not provided' } as const;
// NaN for nothing compared, which a report read back from JSON (check --jobs) has as null.
const num = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : sci(v));
/** One line of at most 160 characters: a child's traceback or stderr stays in the details and the JSON. */
const cell = (s: string) => {
  const line = s.split('\n')[0] ?? '';
  return line.length > 160 || line !== s ? `${line.slice(0, 157)}…` : line;
};

/** The table: one row per backend and quantity. */
export function checkTable(rows: readonly CheckRow[]): string[] {
  const header = [
    'backend',
    'quantity',
    'max error',
    'tolerance',
    'error/tol',
    'worst case',
    'worst element',
    'result',
  ];
  return table(
    header,
    rows.map((r) => [
      r.backend,
      r.quantity,
      num(r.maxError),
      num(r.tolerance),
      num(r.worstRatio),
      cell(r.worstCase),
      r.worst?.element ?? '',
      RESULT[r.status],
    ]),
  );
}

/** One failed row (or several that failed on the same error): where, got and expected, when, and a child's words. */
function rowLines(r: CheckRow, names: string): string[] {
  const lines: string[] = [];
  if (r.worst !== undefined) {
    const w = r.worst;
    lines.push(
      `  ${names} in '${r.worstCase}': ${w.element} is ${readable(w.got)} where ${readable(w.expected)} was expected (${readableRelative(w)}); ` +
        `${r.mismatches} of ${r.size} elements disagree`,
    );
  } else {
    lines.push(`  ${names}: ${r.worstCase.split('\n')[0]}`);
  }
  // For a call that threw, when it throws is worth a line only if not always.
  if (r.failsWhen !== undefined && (r.worst !== undefined || r.failsWhen.length > 0))
    lines.push(`    ${failsWhenLine(names, r.failsWhen, r.failsEverywhere === true)}`);
  for (const l of childLines(r)) lines.push(`    ${l}`);
  return lines;
}

/**
 * What each failed row says beyond the table: the worst element with got and expected, how many elements
 * disagree, when the quantity fails (and where to look), a child's traceback and output; then the bug
 * catalog's entries that the backend's failures match, as likely causes.
 */
export function checkFailureLines(report: CheckReport): string[] {
  const lines: string[] = [];
  const failed = report.rows.filter((row) => row.status === 'fail');
  for (const backend of [...new Set(failed.map((r) => r.backend))]) {
    lines.push('', `${backend}: what failed, where and when`);
    const mine = failed.filter((row) => row.backend === backend);
    // Rows that failed on the same error (one backward that threw fails every gradient) are told once.
    const sameError = (r: CheckRow) =>
      mine.filter((o) => o.worst === undefined && r.worst === undefined && o.worstCase === r.worstCase);
    for (const r of mine) {
      const same = sameError(r);
      if (same.length > 1 && same[0] !== r) continue;
      lines.push(...rowLines(r, same.length > 1 ? same.map((o) => o.quantity).join(', ') : r.quantity));
    }
    for (const c of report.likelyCauses?.[backend] ?? [])
      lines.push(`  likely cause (a hint from the bug catalog, not a verdict): ${c.name}: ${c.description}`);
  }
  return lines;
}

/** The last line: how many checks passed or failed, and how many were left out. */
export function checkVerdict(report: CheckReport): string {
  const checked = report.rows.filter((r) => r.status === 'pass' || r.status === 'fail');
  const failed = checked.filter((r) => r.status === 'fail');
  const gaps = report.rows.length - checked.length;
  const left = gaps === 0 ? '' : `; ${gaps} left out (not supported or not provided)`;
  return failed.length === 0
    ? `all ${checked.length} checks passed${left}`
    : `${failed.length} of ${checked.length} checks FAILED${left}`;
}

/** Everything `rnn-harness check` prints for a report. */
export function checkLines(report: CheckReport): string[] {
  const lines = Object.entries(report.renderers).map(([name, renderer]) => `${name}: GL renderer ${renderer}`);
  lines.push(
    `rnn-harness check: ${report.cases.length} cases (${report.cases.join(', ')}) and the peers' cases`,
    ...checkTable(report.rows),
    ...checkFailureLines(report),
  );
  lines.push(
    "(oracle rows: relative error of loops against finite differences; directional rows: |error| of the gradient projected on a random direction against finite differences of loops, and what it is allowed; peer rows: against the peer's expected values and tolerance; other rows: absolute error against loops)",
  );
  for (const [name, caps] of Object.entries(report.capabilities))
    if (report.rows.some((r) => r.backend === name && r.status !== 'pass' && r.status !== 'fail'))
      lines.push(`${name} declares: ${caps}`);
  for (const s of report.oracleSkipped) lines.push(`oracle skipped ${s}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(...unavailableLines(report.unavailable), checkVerdict(report));
  return lines;
}
