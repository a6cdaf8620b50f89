/**
 * scripts/soak.mjs can fail: a plug-in that keeps 256 KB per call grows past the allowance between 200
 * and 1,000 runs, and again between 1,000 and 2,000, while a backend that keeps nothing stays within it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('scripts/soak.mjs', () => {
  it('should fail a backend that keeps memory per call, and pass one that does not', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'scripts', 'soak.mjs'),
        '--plugin',
        join(root, 'test', 'fixtures', 'plugins', 'leaky.mjs'),
        '--backends',
        'leaky,wasm',
        '--runs',
        '200',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^leaky\s+\d+ MB\s+\d+ MB\s+\+\d+ MB\s+\d+ → \d+ MB \(\+\d+\)\s+[\d.]+ ms\s+GROWS$/m);
    expect(r.stdout).toMatch(/^wasm\s+\d+ MB\s+\d+ MB\s+[+-]\d+ MB\s+(-|\d+ → \d+ MB \([+-]\d+\))\s+[\d.]+ ms\s+ok$/m);
    expect(r.stdout).toContain('soak: memory grew with the number of runs');
  }, 120_000);
});
