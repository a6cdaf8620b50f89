import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RnnInputError } from '../core/errors.js';
import { benchHtml } from '../report/html.js';
import { benchMarkdown } from '../report/markdown.js';
import { checkFailureLines, checkTable, checkVerdict } from '../report/check-text.js';
import { fuzzFailureLines, fuzzVerdict } from '../report/fuzz-text.js';
import { checkMarkdown, fuzzMarkdown } from '../report/summaries.js';
import { table } from '../report/text.js';
import { runMerge, type MergedReports } from '../run/merge.js';
import { EXIT, parsed, UsageError, writeJson, type Io } from './common.js';

export const MERGE_HELP = `Usage: rnn-harness merge DIR... --out DIR

Combines the check.json, fuzz.json and bench.json found in each DIR (shards of one fuzz campaign, or
runs on several machines) into one report of the same format in --out:
  fuzz.json   the shards of one campaign (fuzz --shard I/N, the same --seed, --runs and --sizes)
              become what one unsharded run writes: properties and failures in the campaign's order.
              Every shard must be given; a missing one is an error.
It then prints a table of what was merged and every failure, each fuzz failure with the line that
replays it.
  check.json  every folder's rows; check.md and fuzz.md, their Markdown for a CI job summary.
  bench.json  each DIR is a machine named after the folder: its backends appear as "NAME @ DIR", side
              by side with the other machines', each against loops on its own machine; bench.md and
              bench.html are written from it, and environment.machines keeps each machine's environment.

Options:
  --out DIR     where to write the merged files (required)
  -h, --help    this text

Exit codes: 0 merged and everything in it passed, 1 merged but a check or property in it failed,
2 bad usage (no DIR, no --out, a folder without reports, shards that do not belong together).`;

export async function merge(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parsed('merge', () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) return (io.out(MERGE_HELP), EXIT.ok);
  if (positionals.length === 0) throw new UsageError('rnn-harness merge: name at least one DIR to merge');
  if (values.out === undefined) throw new UsageError('rnn-harness merge: --out DIR is required');
  let merged;
  try {
    merged = await runMerge(positionals);
  } catch (e) {
    if (e instanceof RnnInputError) throw new UsageError(`rnn-harness merge: ${e.message.replace(/^runMerge: /, '')}`);
    throw e;
  }
  const out = values.out;
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  if (merged.check !== undefined) {
    await writeJson(join(out, 'check.json'), merged.check);
    await writeFile(join(out, 'check.md'), checkMarkdown(merged.check));
    written.push(
      `check.json (${merged.sources.check.length} folders, ${merged.check.rows.length} rows${merged.check.ok ? '' : ', FAILED'})`,
    );
  }
  if (merged.fuzz !== undefined) {
    const f = merged.fuzz;
    await writeJson(join(out, 'fuzz.json'), f);
    await writeFile(join(out, 'fuzz.md'), fuzzMarkdown(f));
    written.push(
      `fuzz.json (${merged.sources.fuzz.length} shard${merged.sources.fuzz.length === 1 ? '' : 's'}, ${f.properties.length} properties, ${f.failures.length} failure${f.failures.length === 1 ? '' : 's'})`,
    );
  }
  if (merged.bench !== undefined) {
    const b = merged.bench;
    await writeJson(join(out, 'bench.json'), b);
    await writeFile(join(out, 'bench.md'), benchMarkdown(b));
    await writeFile(join(out, 'bench.html'), benchHtml(b));
    written.push(
      `bench.json, bench.md, bench.html (${merged.sources.bench.length} machines, ${b.results.length} results)`,
    );
  }
  for (const w of written) io.out(`wrote ${join(out, w)}`);
  for (const line of mergedSummary(merged)) io.out(line);
  const ok = (merged.check?.ok ?? true) && (merged.fuzz?.ok ?? true);
  return ok ? EXIT.ok : EXIT.failed;
}

/** What a merged run found: a table of its properties or checks, then every failure with its replay line. */
export function mergedSummary(merged: MergedReports): string[] {
  const lines: string[] = [];
  if (merged.fuzz !== undefined) {
    const f = merged.fuzz;
    const rows = [
      ...f.properties.map((p) => [
        p.name,
        p.backend,
        String(p.runs),
        String(p.skipped),
        String(p.ms),
        p.ok ? 'ok' : 'FAIL',
      ]),
      ...f.failures.filter((x) => x.property === 'create').map((x) => ['create', x.backend, '0', '0', '0', 'FAIL']),
    ];
    lines.push(
      '',
      `fuzz: seed ${f.seed}, ${f.runs} runs per property, ${f.sizes} sizes`,
      ...table(['property', 'backend', 'cases', 'discarded', 'ms', 'result'], rows),
    );
    for (const failure of f.failures) lines.push(...fuzzFailureLines(failure));
    lines.push(fuzzVerdict(f));
  }
  if (merged.check !== undefined) {
    const failed = merged.check.rows.filter((r) => r.status === 'fail');
    lines.push(
      '',
      'check:',
      ...(failed.length > 0 ? [...checkTable(failed), ...checkFailureLines(merged.check)] : []),
      checkVerdict(merged.check),
    );
  }
  return lines;
}
