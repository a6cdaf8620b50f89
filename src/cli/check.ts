import { parseArgs } from 'node:util';
import { checkBackend, checkCases, checkOracleRows, checkProblem2, type CheckRow } from '../check/suite.js';
import { createBackend, createBackendForCheck } from '../registry.js';
import { EXIT, parsed, rendererOf, reportUnavailable, sci, selectBackends, table, writeJson, type Io } from './common.js';

export const CHECK_HELP = `Usage: rnn-harness check [--backends a,b] [--json FILE]

Runs a fixed suite on every available backend against the float64 reference 'loops':
Problem 2 of the notebook, and shapes with T = 1, B = 1, H != F and T = 64, each with tanh and relu,
with and without h0; hs and every gradient (dwx, dwh, db, dx, dh0). It also checks loops' gradients
against the finite-difference oracle. Prints one row per backend and quantity: the largest error,
the tolerance, and the case where the error was worst.

Options:
  --backends a,b  only these backends (default: every registered backend)
  --json FILE     also write the rows as JSON
  -h, --help      this text

Exit codes: 0 everything agrees, 1 a check failed (or a requested backend cannot run here), 2 bad usage.`;

export async function check(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('check', () =>
    parseArgs({ args: argv, strict: true, options: { backends: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) return io.out(CHECK_HELP), EXIT.ok;
  const selection = await selectBackends('check', values.backends);
  const cases = checkCases();
  const reference = await createBackend('loops');
  const rows: CheckRow[] = [];
  for (const info of selection.run) {
    io.err(`checking ${info.name} on ${cases.length} cases…`);
    const backend = await createBackendForCheck(info.name);
    const renderer = rendererOf(backend);
    if (renderer !== undefined) io.out(`${info.name}: GL renderer ${renderer}`);
    try {
      rows.push(await checkProblem2(backend));
      if (info.name !== 'loops') rows.push(...(await checkBackend(backend, reference, cases)));
    } catch (e) {
      // A backend that throws on valid input has failed the check: say so and go on with the others.
      const message = e instanceof Error ? e.message : String(e);
      rows.push({ backend: info.name, quantity: 'error', maxError: Infinity, tolerance: 0, worstRatio: Infinity, worstCase: message, ok: false });
    } finally {
      await backend.dispose();
    }
  }
  io.err(`checking loops' gradients against finite differences…`);
  const oracle = await checkOracleRows(reference, cases);
  rows.push(...oracle.rows);
  await reference.dispose();

  io.out(`rnn-harness check: ${cases.length} cases (${cases.map((c) => c.name).join(', ')})`);
  const header = ['backend', 'quantity', 'max error', 'tolerance', 'error/tol', 'worst case', 'result'];
  const cells = rows.map((r) => [r.backend, r.quantity, sci(r.maxError), sci(r.tolerance), sci(r.worstRatio), r.worstCase, r.ok ? 'ok' : 'FAIL']);
  for (const line of table(header, cells)) io.out(line);
  io.out('(oracle rows: relative error of loops against finite differences; other rows: absolute error against loops)');
  for (const s of oracle.skipped) io.out(`oracle skipped ${s}`);
  reportUnavailable(io, selection);
  const failed = rows.filter((r) => !r.ok);
  const missing = selection.requested && selection.unavailable.length > 0;
  io.out(failed.length === 0 ? `all ${rows.length} checks passed` : `${failed.length} of ${rows.length} checks FAILED`);
  if (values.json !== undefined) {
    await writeJson(values.json, { ok: failed.length === 0 && !missing, cases: cases.map((c) => c.name), rows, oracleSkipped: oracle.skipped, unavailable: selection.unavailable });
  }
  return failed.length === 0 && !missing ? EXIT.ok : EXIT.failed;
}
