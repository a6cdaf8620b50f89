import { parseArgs } from 'node:util';
import { listBackends } from '../registry.js';
import { EXIT, parsed, table, type Io } from './common.js';

export const LIST_HELP = `Usage: rnn-harness list

Lists every registered backend, its precision, and whether it can run on this machine (and if not, why).`;

export async function list(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('list', () => parseArgs({ args: argv, strict: true, options: { help: { type: 'boolean', short: 'h' } } }));
  if (values.help) return io.out(LIST_HELP), EXIT.ok;
  const rows = (await listBackends()).map((b) => [b.name, b.precision, b.available ? 'yes' : `no: ${b.reason}`]);
  for (const line of table(['backend', 'precision', 'available'], rows)) io.out(line);
  return EXIT.ok;
}
