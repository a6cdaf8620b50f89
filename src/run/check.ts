/**
 * runCheck: the fixed suite of `rnn-harness check` as a function that returns what the CLI prints and
 * writes. Every backend runs Problem 2, the suite's cases against `loops`, and the peers' expectations,
 * within what it declares; what it leaves out is a row of its own. A backend that cannot be created,
 * throws, hangs or answers with the wrong shape fails its rows, and the run goes on.
 */
import { capabilityGaps, describeCapabilities } from '../capabilities.js';
import { likelyCauses } from '../catalog/signature.js';
import { checkBackend, checkCases, checkOracleRows, checkPeers, checkProblem2, failedRow, gapRow, problem2Case, type CheckRow } from '../check/suite.js';
import { outsideCapabilities } from '../check/arbitraries.js';
import { checkDirectionalLarge, DirectionalCache, largeCases } from '../check/large.js';
import { createBackend } from '../registry.js';
import type { BackendInfo } from '../registry-types.js';
import { rendererOf } from './guard.js';
import { closeSubject, errorMessage, openSubject, selectBackends, type BackendRef } from './select.js';

export type CheckOptions = {
  /** Backend names or entries (default: every registered backend). */
  backends?: readonly BackendRef[];
  /** Time limit of one call, creation and disposal included (default 60 s). */
  timeoutMs?: number;
  /** Also the bench's shapes: agreement with loops and the directional gradient oracle (check/large.ts). */
  large?: boolean;
  /** Lines of progress, e.g. to stderr. */
  progress?: (line: string) => void;
};

export type CheckReport = {
  /** No row failed, and every backend that was asked for could run. */
  ok: boolean;
  cases: string[];
  rows: CheckRow[];
  /** What each backend declared, in one line. */
  capabilities: Record<string, string>;
  oracleSkipped: string[];
  unavailable: BackendInfo[];
  /** The GL renderer of each backend that draws with a GPU API. */
  renderers: Record<string, string>;
  /** Problems that fail nothing but deserve a line (a dispose() that threw). */
  warnings: string[];
  /**
   * Per backend whose failures match entries of the bug catalog: those entries, as likely causes. A hint
   * where to look, never a verdict (catalog/signature.ts).
   */
  likelyCauses: Record<string, { name: string; description: string }[]>;
};

export async function runCheck(options: CheckOptions = {}): Promise<CheckReport> {
  const progress = options.progress ?? (() => {});
  const selection = await selectBackends('runCheck', options.backends);
  const cases = checkCases();
  const large = options.large === true ? largeCases() : [];
  const reference = await createBackend('loops');
  const directional = new DirectionalCache(reference);
  const report: CheckReport = { ok: false, cases: [...cases, ...large].map((c) => c.name), rows: [], capabilities: {}, oracleSkipped: [], unavailable: selection.unavailable, renderers: {}, warnings: [], likelyCauses: {} };
  try {
    for (const entry of selection.run) {
      progress(`checking ${entry.name} on ${cases.length} cases and the peers' expectations…`);
      let subject;
      try {
        subject = await openSubject(entry, { forCheck: true, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
      } catch (e) {
        report.rows.push(failedRow(entry.name, 'create', errorMessage(e)));
        continue;
      }
      const { backend, capabilities: caps } = subject;
      report.capabilities[entry.name] = describeCapabilities(caps);
      const renderer = rendererOf(backend);
      if (renderer !== undefined) report.renderers[entry.name] = renderer;
      const rows: CheckRow[] = [];
      const problem2Left = outsideCapabilities(caps, problem2Case()) !== undefined;
      if (!problem2Left) rows.push(await checkProblem2(backend));
      if (entry.name !== 'loops') {
        const suite = await checkBackend(backend, reference, cases, caps);
        rows.push(...suite);
        const causes = likelyCauses(suite, suite.filter((r) => r.status === 'pass' || r.status === 'fail').map((r) => r.quantity));
        if (causes.length > 0) report.likelyCauses[entry.name] = causes;
      }
      if (large.length > 0) {
        progress(`checking ${entry.name} at the bench's shapes: agreement with loops and the directional oracle…`);
        if (entry.name !== 'loops') rows.push(...(await checkBackend(backend, reference, large, caps)));
        rows.push(...(await checkDirectionalLarge(backend, directional, large, caps)));
      }
      const peers = await checkPeers(backend, caps);
      rows.push(...peers.rows);
      const left = [...cases, ...large].filter(({ c }) => outsideCapabilities(caps, c) !== undefined).length + peers.left + (problem2Left ? 1 : 0);
      const gaps = capabilityGaps(caps);
      gaps.forEach((g, i) => rows.push(gapRow(entry.name, g, i === 0 && left > 0 ? ` (${left} cases left out)` : '')));
      for (const r of rows) r.backend = entry.name;
      report.rows.push(...rows);
      const warning = await closeSubject(subject);
      if (warning !== undefined) report.warnings.push(warning);
    }
    progress(`checking loops' gradients against finite differences…`);
    const oracle = await checkOracleRows(reference, cases);
    report.rows.push(...oracle.rows);
    report.oracleSkipped = oracle.skipped;
  } finally {
    await reference.dispose();
  }
  const failed = report.rows.some((r) => r.status === 'fail');
  report.ok = !failed && !(selection.requested && selection.unavailable.length > 0);
  return report;
}
