import { parseArgs } from 'node:util';
import { packageFile } from '../core/package-files.js';
import { EXIT, parsed, type Io } from './common.js';

export const PYTHON_PATH_HELP = `Usage: rnn-harness python-path

Prints the folder that holds rnn_harness.py, the Python adapter (NumPy only), to put on PYTHONPATH:

  export PYTHONPATH="$(npx rnn-harness python-path)"
  npx rnn-harness check --exec "mine=/usr/bin/python3 my_rnn.py"

In my_rnn.py:  from rnn_harness import serve;  serve(forward, backward, activations=('tanh',))
The protocol it speaks, for other languages: docs/PROTOCOL.md in the package.`;

export async function pythonPath(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('python-path', () =>
    parseArgs({ args: argv, strict: true, options: { help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) return (io.out(PYTHON_PATH_HELP), EXIT.ok);
  io.out(packageFile('python'));
  return EXIT.ok;
}
