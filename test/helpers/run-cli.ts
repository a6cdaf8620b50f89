import { main } from '../../src/cli/main.js';

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
