import { parseArgs } from 'node:util';
import { runCheck, type CheckReport } from '../run/check.js';
import { backendHelp, BACKEND_OPTIONS, backendFlags, EXIT, parsed, reportUnavailable, sci, table, writeJson, type Io } from './common.js';

export const CHECK_HELP = `Usage: rnn-harness check [--large] [--backends a,b] [--plugin MODULE]... [--exec NAME=CMD]... [--timeout-ms N] [--json FILE]

Runs a fixed suite on every available backend against the float64 reference 'loops':
Problem 2 of the notebook, and shapes with T = 1, B = 1, H != F and T = 64, each with tanh and relu,
with and without h0; hs and every gradient (dwx, dwh, db, dx, dh0). Every backend, loops included, is
also held to 41 forward cases and a gradient case from six other projects' test suites (Keras,
TensorFlow.js, ONNX, ONNX Runtime, TFLite, swift-apis), each with that project's tolerance. It also
checks loops' gradients against the finite-difference oracle. Prints one row per backend and quantity:
the largest error, the tolerance, and the case where the error was worst.

A backend is checked on what it declares (activations, gradients, lastStepOnly, initialState); what it
leaves out is a 'not supported' or 'not provided' row, never a pass. A backend that throws, hangs or
returns the wrong shape fails its rows and the others are still checked.

With --large it adds the bench's shapes (32x50x32x128, 64x100x64x256, 128x28x28x128, 8x500x16x64,
tanh, and the first again with every tanh saturated), where blocked kernels and chunked batches break:
every backend against loops, and every backend's gradients, loops' included, against the directional
oracle, finite differences of loops' forward along random directions (six forward passes per input
instead of four per number). Its rows are 'directional hs', 'directional dwx', …: the error of the
projection and what it is allowed. About a minute here for the fast backends; slow ones take longer.

Options:
  --large           also the bench's shapes, with the directional oracle
${backendHelp()}
  --json FILE       also write the rows as JSON
  -h, --help        this text

Exit codes: 0 everything checked agrees, 1 a check failed (or a requested backend cannot run here),
2 bad usage (an unknown backend, a plug-in that cannot be loaded).`;

export async function check(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('check', () =>
    parseArgs({ args: argv, strict: true, options: { ...BACKEND_OPTIONS, large: { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) return io.out(CHECK_HELP), EXIT.ok;
  const flags = await backendFlags('check', values);
  const report = await runCheck({ backends: flags.backends, timeoutMs: flags.timeoutMs, large: values.large === true, progress: io.err });
  printCheck(io, report);
  if (values.json !== undefined) await writeJson(values.json, report);
  return report.ok ? EXIT.ok : EXIT.failed;
}

const RESULT = { pass: 'ok', fail: 'FAIL', 'not supported': 'not supported', 'not provided': 'not provided' } as const;
const num = (v: number) => (Number.isNaN(v) ? '-' : sci(v));
/** One line of at most 160 characters: a child's traceback or stderr stays in the JSON, not the table. */
const cell = (s: string) => {
  const line = s.split('\n')[0] ?? '';
  return line.length > 160 || line !== s ? `${line.slice(0, 157)}…` : line;
};

/** The check table and its notes, as `rnn-harness check` prints them. */
export function printCheck(io: Io, report: CheckReport): void {
  for (const [name, renderer] of Object.entries(report.renderers)) io.out(`${name}: GL renderer ${renderer}`);
  io.out(`rnn-harness check: ${report.cases.length} cases (${report.cases.join(', ')}) and the peers' cases`);
  const header = ['backend', 'quantity', 'max error', 'tolerance', 'error/tol', 'worst case', 'result'];
  const cells = report.rows.map((r) => [r.backend, r.quantity, num(r.maxError), num(r.tolerance), num(r.worstRatio), cell(r.worstCase), RESULT[r.status]]);
  for (const line of table(header, cells)) io.out(line);
  io.out('(oracle rows: relative error of loops against finite differences; directional rows: |error| of the gradient projected on a random direction against finite differences of loops, and what it is allowed; peer rows: against the peer\'s expected values and tolerance; other rows: absolute error against loops)');
  for (const [name, caps] of Object.entries(report.capabilities)) if (report.rows.some((r) => r.backend === name && r.status !== 'pass' && r.status !== 'fail')) io.out(`${name} declares: ${caps}`);
  for (const s of report.oracleSkipped) io.out(`oracle skipped ${s}`);
  for (const w of report.warnings) io.out(`warning: ${w}`);
  reportUnavailable(io, report.unavailable);
  const checked = report.rows.filter((r) => r.status === 'pass' || r.status === 'fail');
  const failed = checked.filter((r) => r.status === 'fail');
  const gaps = report.rows.length - checked.length;
  const left = gaps === 0 ? '' : `; ${gaps} left out (not supported or not provided)`;
  io.out(failed.length === 0 ? `all ${checked.length} checks passed${left}` : `${failed.length} of ${checked.length} checks FAILED${left}`);
}
