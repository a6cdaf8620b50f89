import { parseArgs } from 'node:util';
import { checkProblem2, problem2Case } from '../check/suite.js';
import { createBackend, createBackendForCheck } from '../registry.js';
import { EXIT, parsed, rendererOf, reportUnavailable, selectBackends, type Io } from './common.js';

export const DEMO_HELP = `Usage: rnn-harness demo [--backends a,b]

Runs the scratch-RNN notebook's Problem 2 (x [1,3,2], 4 hidden units, tanh, h0 = 0) on every available
backend and prints the last hidden state to 8 decimals. The notebook's answer is
0.79494228 0.81839002 0.83939649 0.85584174.

Options:
  --backends a,b  only these backends (default: every registered backend)
  -h, --help      this text

Exit codes: 0 every backend matches the notebook, 1 one does not, 2 bad usage.`;

export async function demo(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('demo', () =>
    parseArgs({ args: argv, strict: true, options: { backends: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) return io.out(DEMO_HELP), EXIT.ok;
  const selection = await selectBackends('demo', values.backends);
  const c = problem2Case();
  let ok = true;
  const width = Math.max(...selection.run.map((b) => b.name.length), 1);
  for (const info of selection.run) {
    const backend = await createBackendForCheck(info.name);
    try {
      const hs = await backend.forward(c.params, c.x);
      const row = await checkProblem2(backend);
      ok &&= row.ok;
      const last = [...hs.data.slice(-4)].map((v) => v.toFixed(8)).join(' ');
      const renderer = rendererOf(backend);
      io.out(`${info.name.padEnd(width)}  ${last}${row.ok ? '' : `  <- differs from the notebook by ${row.maxError.toExponential(2)}`}${renderer ? `  (GL renderer: ${renderer})` : ''}`);
    } finally {
      await backend.dispose();
    }
  }
  reportUnavailable(io, selection);
  return ok && (!selection.requested || selection.unavailable.length === 0) ? EXIT.ok : EXIT.failed;
}
