#!/usr/bin/env node
// Soak check: does memory grow with the length of a fuzz campaign? For each available backend, runs
// `rnn-harness fuzz` twice in fresh processes, with N and with 5N runs, and compares the most memory each
// process held (the fuzz report's maxRssMB). A backend that keeps something per case (compiled kernels,
// textures, tensors) holds more after 5N runs than after N; one that keeps nothing holds about the same.
//
//   node scripts/soak.mjs [--runs N] [--allowance MB] [--backends a,b] [--plugin MODULE]
//
// Exits 1 when a backend's growth from N to 5N runs exceeds the allowance, in two samples (a backend over
// it is run again, and the lower peak of each length counts). The defaults, N = 300 and 80 MB: the leaks
// this catches grew by 0.9 to 2.3 MB per run, so by 1 GB or more over 4N runs, while a flat backend still
// warms up between a short run and a longer one (V8's heap and compiled code settling, tfjs-wasm's
// WebAssembly memory, which grows and is never given back): by 0 to 44 MB in the runs here, and
// tfjs-wasm's peak alone varies by ±50 MB between processes running the same campaign.
// Slower growth than that, such as gpujs-webasm's (V8 keeps about 1 KB for every WebAssembly module
// compiled, and gpu.js compiles one per kernel and shape), shows only over 10,000 runs (README, "Long
// fuzz campaigns").
// loops runs the oracle property (it is the reference), every other backend the agreement property.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, allowance: { type: 'string' }, backends: { type: 'string' }, plugin: { type: 'string' } } });
const plugin = values.plugin === undefined ? [] : ['--plugin', values.plugin];
const runs = Number(values.runs ?? 300);
const allowance = Number(values.allowance ?? 80);
if (!Number.isSafeInteger(runs) || runs < 1 || !(allowance >= 0)) {
  console.error(`soak: --runs must be an integer >= 1 and --allowance a number of MB >= 0; got ${values.runs}, ${values.allowance}`);
  process.exit(2);
}
const cli = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rnn-harness-soak-'));

const list = execFileSync(process.execPath, [cli, 'list', ...plugin], { encoding: 'utf8' })
  .split('\n').slice(2).filter((l) => /\syes$/.test(l)).map((l) => l.split(/\s+/)[0]);
const backends = values.backends === undefined ? list : values.backends.split(',').filter((b) => list.includes(b));

/** The fuzz report of one campaign in a process of its own. */
function campaign(backend, n) {
  const file = join(dir, `${backend}-${n}.json`);
  const property = backend === 'loops' ? 'oracle' : 'agreement';
  const start = performance.now();
  execFileSync(process.execPath, [cli, 'fuzz', ...plugin, '--backends', backend, '--property', property, '--runs', String(n), '--seed', '9', '--json', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const p = report.properties.find((x) => x.name === property);
  return { maxRssMB: report.maxRssMB, msPerCase: p.ms / p.runs, seconds: (performance.now() - start) / 1000, ok: report.ok };
}

console.log(`soak: fuzz with ${runs} and ${5 * runs} runs per backend, each in a fresh process; allowance ${allowance} MB`);
const rows = [];
let failed = false;
for (const backend of backends) {
  let short = campaign(backend, runs);
  let long = campaign(backend, 5 * runs);
  let growth = long.maxRssMB - short.maxRssMB;
  let samples = '';
  if (growth > allowance && short.ok && long.ok) {
    // The same campaign's peak varies from process to process (tfjs-wasm's by ±50 MB at the same seed),
    // so a backend over the allowance is measured again and judged by the lower peak of each length: a
    // leak raises every long campaign, noise does not.
    const short2 = campaign(backend, runs);
    const long2 = campaign(backend, 5 * runs);
    samples = ` (2nd: ${short2.maxRssMB}, ${long2.maxRssMB})`;
    short = short2.maxRssMB < short.maxRssMB ? short2 : short;
    long = long2.maxRssMB < long.maxRssMB ? long2 : long;
    growth = long.maxRssMB - short.maxRssMB;
  }
  const ok = growth <= allowance && short.ok && long.ok;
  failed ||= !ok;
  rows.push([backend, `${short.maxRssMB} MB`, `${long.maxRssMB} MB`, `${growth >= 0 ? '+' : ''}${growth} MB${samples}`, `${long.msPerCase.toFixed(1)} ms`, ok ? 'ok' : growth > allowance ? 'GROWS' : 'FAIL']);
}
rmSync(dir, { recursive: true, force: true });
const header = ['backend', `${runs} runs`, `${5 * runs} runs`, 'growth', 'per case', 'result'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
console.log(failed ? 'soak: memory grew with the number of runs (or a campaign failed)' : `soak: every backend stayed within ${allowance} MB`);
process.exit(failed ? 1 : 0);
