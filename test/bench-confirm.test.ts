/**
 * bench --compare confirms a flagged change in a new process: a process stuck in a slow state (here a
 * plug-in 8x slower in the first process that loads it) is not a regression; a backend slow in every
 * process (slow.mjs with SLOWDOWN=8, which the child inherits) is. Runs the built CLI, as a user does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CLI = join('dist', 'src', 'cli', 'main.js');

async function bench(env: Record<string, string>, ...args: string[]) {
  const argv = [
    CLI,
    'bench',
    '--plugin',
    './test/fixtures/plugins/slow-first-process.mjs',
    '--plugin',
    './test/fixtures/plugins/slow.mjs',
    '--backends',
    'loops,wasm,wasm-f32,slow-first-process,slow',
    '--shapes',
    '4x10x8x16',
    '--ops',
    'forward',
    '--rounds',
    '1',
    '--max-time',
    '0.3',
    ...args,
  ];
  return promisify(execFile)(process.execPath, argv, { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

describe('bench --compare, confirmed in a new process', () => {
  it('should not confirm a process that was slow, and confirm a backend that is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-confirm-'));
    const mark = join(dir, 'mark');
    await writeFile(mark, 'the baseline runs at full speed');
    const base = join(dir, 'base.json');
    expect((await bench({ FIRST_PROCESS_MARK: mark, SLOWDOWN: '1' }, '--json', base)).code).toBe(0);
    const now = join(dir, 'now.json');
    const r = await bench(
      { FIRST_PROCESS_MARK: join(dir, 'fresh-mark'), SLOWDOWN: '8' },
      '--compare',
      base,
      '--fail-on-regression',
      // The rule on steal time has a test of its own (compare.test.ts); here a busy host must not mask it.
      '--max-steal',
      '100',
      '--json',
      now,
    );
    expect(r.code).toBe(1);
    const rows = Object.fromEntries(
      (JSON.parse(await readFile(now, 'utf8')).comparison.rows as { backend: string; net: number }[]).map((row) => [
        row.backend,
        row,
      ]),
    );
    // Flagged in the first process, then measured again at full speed in the second.
    expect(rows['slow-first-process']).toMatchObject({ verdict: 'same', confirmation: { verdict: 'same' } });
    expect(rows['slow-first-process']?.net).toBeGreaterThan(2);
    expect(rows.slow).toMatchObject({ verdict: 'regression', confirmation: { verdict: 'regression' } });
    expect(r.out).toMatch(
      /^slow-first-process\s+4x10x8x16\s+forward\s.*no change \(not confirmed: .* measured again\)$/m,
    );
    // The first measurement took one round (--rounds 1); the second takes three.
    expect(r.err).toMatch(/confirming in a new process: .* slow forward B=4 T=10 F=8 H=16 \(round 3\/3\)/);
  }, 120_000);
});
