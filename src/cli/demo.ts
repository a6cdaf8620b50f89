import { parseArgs } from 'node:util';
import { checkProblem2, problem2Case } from '../check/suite.js';
import { rendererOf } from '../run/guard.js';
import { closeSubject, errorMessage, openSubject, selectBackends } from '../run/select.js';
import { backendHelp, BACKEND_OPTIONS, backendFlags, EXIT, parsed, reportUnavailable, type Io } from './common.js';

export const DEMO_HELP = `Usage: rnn-harness demo [--backends a,b] [--plugin MODULE]... [--exec NAME=CMD]... [--timeout-ms N]

Runs the scratch-RNN notebook's Problem 2 (x [1,3,2], 4 hidden units, tanh, h0 = 0) on every available
backend and prints the last hidden state to 8 decimals. The notebook's answer is
0.79494228 0.81839002 0.83939649 0.85584174.

Options:
${backendHelp()}
  -h, --help        this text

Exit codes: 0 every backend matches the notebook, 1 one does not (or fails), 2 bad usage.`;

export async function demo(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('demo', () =>
    parseArgs({ args: argv, strict: true, options: { ...BACKEND_OPTIONS, help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) return (io.out(DEMO_HELP), EXIT.ok);
  const flags = await backendFlags('demo', values);
  const selection = await selectBackends('demo', flags.backends);
  const c = problem2Case();
  let ok = true;
  const width = Math.max(...selection.run.map((b) => b.name.length), 1);
  for (const entry of selection.run) {
    const name = entry.name.padEnd(width);
    let subject;
    try {
      subject = await openSubject(entry, {
        forCheck: true,
        ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
      });
    } catch (e) {
      ok = false;
      io.out(`${name}  FAILED to start: ${errorMessage(e)}`);
      continue;
    }
    const { backend, capabilities } = subject;
    if (!capabilities.activations.includes('tanh'))
      io.out(
        `${name}  not supported: Problem 2 is tanh; the backend declares activations ${capabilities.activations.join(', ')}`,
      );
    else {
      try {
        const hs = await backend.forward(c.params, c.x);
        const row = await checkProblem2(backend);
        ok &&= row.ok;
        const last = [...hs.data.slice(-4)].map((v) => v.toFixed(8)).join(' ');
        const renderer = rendererOf(backend);
        io.out(
          `${name}  ${last}${row.ok ? '' : `  <- differs from the notebook by ${row.maxError.toExponential(2)}`}${renderer ? `  (GL renderer: ${renderer})` : ''}`,
        );
      } catch (e) {
        ok = false;
        io.out(`${name}  FAILED: ${errorMessage(e)}`);
      }
    }
    await closeSubject(subject);
  }
  reportUnavailable(io, selection.unavailable);
  return ok && (!selection.requested || selection.unavailable.length === 0) ? EXIT.ok : EXIT.failed;
}
