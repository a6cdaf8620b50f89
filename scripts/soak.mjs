#!/usr/bin/env node
// Soak check: does memory grow with the length of a fuzz campaign? For each available backend, runs
// `rnn-harness fuzz` twice in fresh processes, with N and with 5N runs, and compares the most memory each
// process held (the fuzz report's maxRssMB). A backend that keeps something per case (compiled kernels,
// textures, tensors) holds more after 5N runs than after N; one that keeps nothing holds about the same.
//
//   node scripts/soak.mjs [--runs N] [--allowance MB] [--backends a,b] [--plugin MODULE]
//
// Exits 1 when a backend's memory grows with the length of the campaign. The defaults, N = 300 and 80 MB:
// the leaks this catches grew by 0.9 to 2.3 MB per run, so by 1 GB or more over 4N runs, while a flat
// backend still warms up between a short run and a longer one (V8's heap and compiled code settling): by
// 0 to 44 MB in the runs here. tfjs-wasm warms up for longer (its WebAssembly memory grows to the largest
// case so far and is never given back: 150-199 MB after 300 runs, 195-254 MB after 1,500), and its
// peak varies by ±50 MB from process to process. So a backend over the allowance
// between N and 5N is measured further, 5N once more and 10N twice, and fails only if the lowest peak at
// 10N is more than the allowance above the highest at 5N: a leak keeps growing, a warm-up levels off.
// Slower growth than that, such as gpujs-webasm's (V8 keeps about 1 KB for every WebAssembly module
// compiled, and gpu.js compiles one per kernel and shape), shows only over 10,000 runs (docs/PERFORMANCE.md, "Long
// fuzz campaigns").
// loops runs the oracle property (it is the reference), every other backend the agreement property.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    allowance: { type: 'string' },
    backends: { type: 'string' },
    plugin: { type: 'string' },
  },
});
const plugin = values.plugin === undefined ? [] : ['--plugin', values.plugin];
const runs = Number(values.runs ?? 300);
const allowance = Number(values.allowance ?? 80);
if (!Number.isSafeInteger(runs) || runs < 1 || !(allowance >= 0)) {
  console.error(
    `soak: --runs must be an integer >= 1 and --allowance a number of MB >= 0; got ${values.runs}, ${values.allowance}`,
  );
  process.exit(2);
}
const cli = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rnn-harness-soak-'));

const list = execFileSync(process.execPath, [cli, 'list', ...plugin], { encoding: 'utf8' })
  .split('\n')
  .slice(2)
  .filter((l) => /\syes$/.test(l))
  .map((l) => l.split(/\s+/)[0]);
const backends = values.backends === undefined ? list : values.backends.split(',').filter((b) => list.includes(b));

/** The fuzz report of one campaign in a process of its own. */
function campaign(backend, n) {
  const file = join(dir, `${backend}-${n}.json`);
  const property = backend === 'loops' ? 'oracle' : 'agreement';
  const start = performance.now();
  execFileSync(
    process.execPath,
    [
      cli,
      'fuzz',
      ...plugin,
      '--backends',
      backend,
      '--property',
      property,
      '--runs',
      String(n),
      '--seed',
      '9',
      '--jobs',
      '1',
      '--json',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const p = report.properties.find((x) => x.name === property);
  return {
    maxRssMB: report.maxRssMB,
    msPerCase: p.ms / p.runs,
    seconds: (performance.now() - start) / 1000,
    ok: report.ok,
  };
}

console.log(
  `soak: fuzz with ${runs} and ${5 * runs} runs per backend, each in a fresh process; allowance ${allowance} MB`,
);
const rows = [];
let failed = false;
for (const backend of backends) {
  const short = campaign(backend, runs);
  const long = campaign(backend, 5 * runs);
  const growth = long.maxRssMB - short.maxRssMB;
  let ok = growth <= allowance && short.ok && long.ok;
  let further = '-';
  if (!ok && short.ok && long.ok) {
    // Over the allowance: a warm-up that takes longer than N runs, or a leak? A leak keeps growing; a
    // warm-up (tfjs-wasm's WebAssembly memory reaching the largest case) levels off. And one campaign's
    // peak varies from process to process (tfjs-wasm's by ±50 MB at the same seed). So: 5N once more and
    // 10N twice, judged by the lowest peak at 10N against the highest at 5N.
    const again = campaign(backend, 5 * runs);
    const longer = [campaign(backend, 10 * runs), campaign(backend, 10 * runs)];
    const highest5 = Math.max(long.maxRssMB, again.maxRssMB);
    const lowest10 = Math.min(...longer.map((c) => c.maxRssMB));
    const more = lowest10 - highest5;
    ok = more <= allowance && again.ok && longer.every((c) => c.ok);
    further = `${highest5} → ${lowest10} MB (${more >= 0 ? '+' : ''}${more})`;
  }
  failed ||= !ok;
  rows.push([
    backend,
    `${short.maxRssMB} MB`,
    `${long.maxRssMB} MB`,
    `${growth >= 0 ? '+' : ''}${growth} MB`,
    further,
    `${long.msPerCase.toFixed(1)} ms`,
    ok ? 'ok' : growth > allowance ? 'GROWS' : 'FAIL',
  ]);
}
rmSync(dir, { recursive: true, force: true });
const header = [
  'backend',
  `${runs} runs`,
  `${5 * runs} runs`,
  'growth',
  `${5 * runs} → ${10 * runs} runs`,
  'per case',
  'result',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows])
  console.log(
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
console.log(
  failed
    ? 'soak: memory grew with the number of runs (or a campaign failed)'
    : `soak: no backend's memory grew with the number of runs (allowance ${allowance} MB)`,
);
process.exit(failed ? 1 : 0);
