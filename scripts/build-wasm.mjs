#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/) into dist/wasm/rnn-f64.wasm and dist/wasm/rnn-f32.wasm:
// -O3, no assertions, the stub runtime (nothing is allocated), 128-bit SIMD, and a shared memory imported
// from the host so that worker threads can run chunks of one call on the same numbers.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const bits of [64, 32]) {
  const { error, stderr } = await asc.main([
    join(root, 'assembly', 'index.ts'),
    '--use',
    `PRECISION=${bits}`,
    '-O3',
    '--noAssert',
    '--runtime',
    'stub',
    '--enable',
    'simd',
    '--enable',
    'threads',
    '--importMemory',
    '--sharedMemory',
    '--initialMemory',
    '2',
    '--maximumMemory',
    '16384',
    '-o',
    join(root, 'dist', 'wasm', `rnn-f${bits}.wasm`),
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: the f${bits} kernels did not compile: ${error.message}`);
    process.exit(1);
  }
}
