#!/usr/bin/env node
// Proves fuzz --shard: runs one fuzz campaign unsharded, then the same campaign as N shards in parallel
// processes, merges the shards with `rnn-harness merge`, and fails unless the merged fuzz.json says exactly
// what the unsharded one says (same properties, cases, runs and failures; only times and memory differ).
// A plug-in with a wrong bias gradient is among the backends, so there are failures to compare.
//
//   node scripts/shard-proof.mjs [--shards 4] [--runs 100] [--seed 7] [--sizes small|large] [--backends a,b]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '4' },
    runs: { type: 'string', default: '100' },
    seed: { type: 'string', default: '7' },
    sizes: { type: 'string', default: 'small' },
    backends: { type: 'string', default: 'loops,workers,wasm,wasm-f32,scratch-buggy' },
  },
});
const shards = Number(values.shards);
const cli = join(root, 'dist/src/cli/main.js');
const plugin = join(root, 'examples/plugin/scratch-rnn-buggy.mjs');
const campaign = [
  'fuzz',
  '--seed',
  values.seed,
  '--runs',
  values.runs,
  '--sizes',
  values.sizes,
  '--backends',
  values.backends,
  '--plugin',
  plugin,
];

/** Runs the CLI; resolves with its exit code (1 is expected: the plug-in's bug is found). */
function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 || code === 1
        ? resolve(code)
        : reject(new Error(`rnn-harness ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

/** What must be equal: everything but times, memory and which shard it was. */
function essence(report) {
  const { maxRssMB: _m, shard: _s, warnings: _w, ...rest } = report;
  return { ...rest, properties: rest.properties.map(({ ms: _ms, ...p }) => p) };
}

const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-shards-'));
try {
  let start = performance.now();
  await run([...campaign, '--json', join(dir, 'whole', 'fuzz.json')]);
  const wholeS = (performance.now() - start) / 1000;
  start = performance.now();
  const shardDirs = Array.from({ length: shards }, (_, i) => join(dir, `shard-${i + 1}`));
  await Promise.all(
    shardDirs.map((d, i) => run([...campaign, '--shard', `${i + 1}/${shards}`, '--json', join(d, 'fuzz.json')])),
  );
  const shardsS = (performance.now() - start) / 1000;
  await run(['merge', ...shardDirs, '--out', join(dir, 'merged')]);
  const whole = JSON.parse(await readFile(join(dir, 'whole', 'fuzz.json'), 'utf8'));
  const merged = JSON.parse(await readFile(join(dir, 'merged', 'fuzz.json'), 'utf8'));
  const summary = (r) =>
    `${r.properties.length} properties, ${r.properties.reduce((s, p) => s + p.runs, 0)} cases, ${r.failures.length} failures (${r.failures.map((f) => `${f.property} on ${f.backend}, path ${f.path}`).join('; ')})`;
  console.log(`unsharded (${wholeS.toFixed(1)} s): ${summary(whole)}`);
  console.log(`${shards} shards in parallel (${shardsS.toFixed(1)} s), merged: ${summary(merged)}`);
  if (whole.failures.length === 0) {
    console.error(
      'shard-proof: the campaign found no failure, so the comparison proves less than it should: the plug-in with the wrong bias gradient was expected to fail',
    );
    process.exitCode = 1;
  } else if (!isDeepStrictEqual(essence(whole), essence(merged))) {
    console.error('shard-proof: the merged shards differ from the unsharded run:');
    console.error(JSON.stringify({ whole: essence(whole), merged: essence(merged) }, null, 1));
    process.exitCode = 1;
  } else {
    console.log('shard-proof: the merged shards equal the unsharded run');
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
