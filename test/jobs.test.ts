/**
 * --jobs: a campaign dealt to child processes prints and writes what one process does (times and memory
 * aside), and a child that crashes or hangs is a failed row with its reason while the others finish, with
 * nothing left running. The children run the built CLI (dist/), as a user's would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { liveJobs } from '../src/run/jobs.js';

process.env.RNN_HARNESS_CACHE = await mkdtemp(join(tmpdir(), 'rnn-harness-cache-'));
const BUGGY = new URL('../examples/plugin/scratch-rnn-buggy.mjs', import.meta.url).pathname;
const KILLERS = new URL('./fixtures/plugins/job-killers.mjs', import.meta.url).pathname;

async function run(...argv: string[]) {
  const out: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: () => {} });
  return { code, out: out.join('\n') };
}

/** A report without what differs from run to run: times and memory. */
function essence(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (['ms', 'maxRssMB'].includes(k) ? undefined : v)));
}
const withoutTimes = (text: string) => text.replace(/\d+ ms/g, 'N ms').replace(/at most \d+ MB/, 'at most N MB');

/** The process ids of the jobs that run while `work` does. */
async function watching<T>(work: () => Promise<T>): Promise<{ result: T; seen: Set<number> }> {
  const seen = new Set<number>();
  const watch = setInterval(() => liveJobs().forEach((p) => seen.add(p)), 20);
  try {
    return { result: await work(), seen };
  } finally {
    clearInterval(watch);
  }
}

async function both(command: string[], file: string) {
  const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-jobs-'));
  const one = await run(...command, '--jobs', '1', '--json', join(dir, `1-${file}`));
  const two = await watching(() => run(...command, '--jobs', '2', '--json', join(dir, `2-${file}`)));
  expect(two.seen.size).toBe(2);
  const json = async (n: number) => JSON.parse(await readFile(join(dir, `${n}-${file}`), 'utf8'));
  return { one, two: two.result, json1: await json(1), json2: await json(2) };
}

describe('--jobs 2 against --jobs 1', () => {
  it('should make fuzz print and write the same campaign: properties, cases, failures and replay lines, in order', async () => {
    const r = await both(
      ['fuzz', '--runs', '30', '--seed', '7', '--backends', 'workers,wasm,wasm-f32,scratch-buggy', '--plugin', BUGGY],
      'fuzz.json',
    );
    expect(r.one.code).toBe(1);
    expect(r.two.code).toBe(1);
    expect(essence(r.json2)).toEqual(essence(r.json1));
    expect(r.json1.failures.map((f: { backend: string }) => f.backend)).toEqual(['scratch-buggy']);
    expect(withoutTimes(r.two.out)).toBe(withoutTimes(r.one.out));
  }, 120_000);

  it('should make check print and write the same rows in the same order', async () => {
    const r = await both(['check', '--backends', 'loops,workers,wasm,scratch-buggy', '--plugin', BUGGY], 'check.json');
    expect(r.two.code).toBe(1);
    expect(essence({ ...r.json2, times: undefined })).toEqual(essence({ ...r.json1, times: undefined }));
    expect(r.two.out).toBe(r.one.out);
  }, 120_000);

  it('should make mutants find the same, catch by catch', async () => {
    const r = await both(
      ['mutants', '--runs', '30', '--only', 'bias-grad-averaged,no-recurrent-carry,overflowing-tanh,h0-ignored'],
      'mutants.json',
    );
    expect(r.two.code).toBe(0);
    expect(essence(r.json2)).toEqual(essence(r.json1));
  }, 120_000);

  it("should make report write the same check and fuzz, its bench alone in the parent's process", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-jobs-'));
    const report = (jobs: string) =>
      run(
        'report',
        '--backends',
        'loops,wasm',
        '--cell',
        'rnn',
        '--seed',
        '4',
        '--jobs',
        jobs,
        '--out',
        join(dir, jobs),
      );
    expect((await report('1')).code).toBe(0);
    const two = await watching(() => report('2'));
    expect(two.result.code).toBe(0);
    expect(two.seen.size).toBe(4);
    const read = async (jobs: string, file: string) => JSON.parse(await readFile(join(dir, jobs, file), 'utf8'));
    expect(essence({ ...(await read('2', 'check.json')), times: undefined })).toEqual(
      essence({ ...(await read('1', 'check.json')), times: undefined }),
    );
    expect(essence(await read('2', 'fuzz.json'))).toEqual(essence(await read('1', 'fuzz.json')));
    expect((await read('2', 'bench.json')).results.map((r: { backend: string }) => r.backend)).toEqual(
      (await read('1', 'bench.json')).results.map((r: { backend: string }) => r.backend),
    );
  }, 240_000);
});

describe('a job that crashes or hangs', () => {
  const alive = (pid: number) => {
    try {
      return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)])
        .toString()
        .trim()
        .startsWith('Z');
    } catch {
      return false;
    }
  };

  it.each([
    ['crashes', /not run: job \d of 2 exited with status 3/],
    ['blocks', /not run: job \d of 2 said nothing for 7 s and was killed \(hung\)/],
  ])(
    'should fail the properties of the job whose backend %s, with the reason, and let the other finish',
    async (name, reason) => {
      const seen = new Set<number>();
      const watch = setInterval(() => liveJobs().forEach((p) => seen.add(p)), 50);
      const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-jobs-'));
      const r = await run(
        'fuzz',
        '--jobs',
        '2',
        '--property',
        'agreement',
        '--runs',
        '20',
        '--seed',
        '3',
        '--timeout-ms',
        '1000',
        '--backends',
        `wasm,${name}`,
        '--plugin',
        KILLERS,
        '--json',
        join(dir, 'fuzz.json'),
      );
      clearInterval(watch);
      expect(r.code).toBe(1);
      const report = JSON.parse(await readFile(join(dir, 'fuzz.json'), 'utf8'));
      expect(
        report.properties.map((p: { name: string; backend: string; ok: boolean }) => `${p.name} ${p.backend} ${p.ok}`),
      ).toEqual(['agreement wasm true']);
      expect(report.failures).toEqual([
        expect.objectContaining({ property: 'agreement', backend: name, error: expect.stringMatching(reason) }),
      ]);
      expect(r.out).toMatch(new RegExp(`^FAIL  agreement on ${name}: not run: job`, 'm'));
      expect(liveJobs()).toEqual([]);
      expect(seen.size).toBe(2);
      for (const pid of seen) expect(alive(pid)).toBe(false);
    },
    60_000,
  );
});
