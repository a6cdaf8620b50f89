import { parseArgs } from 'node:util';
import { describeCapabilities, resolveCapabilities } from '../core/capabilities.js';
import { declaresInHello } from '../backends/exec.js';
import { backendEntries, infoOf } from '../registry/registry.js';
import { EXIT, backendFlags, parsed, table, type Io } from './common.js';

export const LIST_HELP = `Usage: rnn-harness list [--plugin MODULE]... [--exec NAME=COMMAND]...

Lists every registered backend (and those of the plug-ins), its precision, what it declares it supports,
and whether it can run on this machine (and if not, why, with the command that fixes it); under each,
its description.

Options:
  --plugin MODULE   load more backends from MODULE, a file (./my-rnn.mjs) or an installed package
                    whose default export is a BackendEntry or an array of them; repeatable
  --exec NAME=CMD   a backend in another process (its precision and capabilities come from its hello,
                    so they show once a command starts it); repeatable
  -h, --help        this text`;

export async function list(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('list', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        plugin: { type: 'string', multiple: true },
        exec: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(LIST_HELP), EXIT.ok);
  await backendFlags('list', values);
  const entries = backendEntries();
  const rows = await Promise.all(
    entries.map(async (e) => {
      const b = await infoOf(e);
      const late = declaresInHello(e);
      return [
        b.name,
        late ? 'from its hello' : b.precision,
        late ? 'from its hello' : describeCapabilities(resolveCapabilities(e)),
        b.available ? 'yes' : `no: ${b.reason}`,
      ];
    }),
  );
  const [header, rule, ...lines] = table(['backend', 'precision', 'declares', 'available'], rows);
  io.out(header as string);
  io.out(rule as string);
  lines.forEach((line, i) => {
    io.out(line);
    const d = entries[i]?.description;
    if (d !== undefined) io.out(`  ${d}`);
  });
  return EXIT.ok;
}
