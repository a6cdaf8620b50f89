import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { registerBackend, unregisterBackend } from '../src/index.js';
import { NotebookBackwardBackend } from '../src/catalog/notebook.js';
import { loadMnist } from '../src/data/mnist.js';
import { loadModel } from '../src/model/persist.js';

const run = runCli;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnn-harness-cli-'));
});

describe('rnn-harness demo', () => {
  it("should print the notebook's Problem 2 answer for loops", async () => {
    const r = await run('demo', '--backends', 'loops');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^loops\s+0\.79494228 0\.81839002 0\.83939649 0\.85584174$/m);
  });
});

describe('rnn-harness check', () => {
  it('should pass on the built-in backends and write its rows as JSON', async () => {
    const file = join(dir, 'check.json');
    const r = await run('check', '--json', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/all \d+ checks passed/);
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json.ok).toBe(true);
    expect(json.cases).toContain('T=64 relu h0');
    expect(json.rows.map((row: { backend: string; quantity: string }) => `${row.backend}:${row.quantity}`)).toEqual(
      expect.arrayContaining(['loops:problem2', 'oracle:dwx', 'oracle:dwh', 'oracle:db', 'oracle:dx', 'oracle:dh0']),
    );
  });
});

describe('rnn-harness fuzz', () => {
  it('should find nothing on loops and report the runs as JSON', async () => {
    const file = join(dir, 'fuzz.json');
    const r = await run('fuzz', '--runs', '40', '--seed', '3', '--backends', 'loops', '--json', file);
    expect(r.code).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json).toMatchObject({ runs: 40, seed: 3, failures: [] });
  });
});

describe('rnn-harness bench', () => {
  it('should time each backend and op and write benchmark.js statistics as JSON', async () => {
    const file = join(dir, 'bench.json');
    const r = await run(
      'bench',
      '--backends',
      'loops,workers',
      '--shapes',
      '2x3x2x4',
      '--rounds',
      '1',
      '--max-time',
      '1',
      '--json',
      file,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^workers\s+2x3x2x4\s+train\s/m);
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json.environment.node).toBe(process.version);
    expect(json.results).toHaveLength(4);
    for (const res of json.results) {
      expect(res).toMatchObject({ shape: { B: 2, T: 3, F: 2, H: 4 } });
      expect(res.meanMs).toBeGreaterThan(0);
      expect(res.samples).toBeGreaterThanOrEqual(5);
      expect(res.gflops).toBeCloseTo(((res.op === 'forward' ? 2 : 6) * 2 * 3 * 4 * 6) / (res.meanMs * 1e6), 6);
    }
  });
});

describe('rnn-harness bench --out', () => {
  it('should write bench.json, a Markdown table per op and bench.html into the folder', async () => {
    const out = join(dir, 'bench-out');
    const r = await run(
      'bench',
      '--backends',
      'loops',
      '--shapes',
      '2x3x2x4',
      '--rounds',
      '1',
      '--max-time',
      '0.5',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    expect(json.environment.packages).toMatchObject({ benchmark: '2.1.4', piscina: expect.stringMatching(/^5\./) });
    expect(json.results.map((x: { op: string }) => x.op)).toEqual(['forward', 'train']);
    expect(json.limit.engine).toMatch(/^loops gemmABt/);
    expect(json.limit.gflops).toBeCloseTo((2 * 512 ** 3) / (json.limit.meanMs * 1e6), 6);
    for (const res of json.results) expect(res.fractionOfLimit).toBeCloseTo(res.gflops / json.limit.gflops, 9);
    const md = await readFile(join(out, 'bench.md'), 'utf8');
    expect(md).toContain('## forward');
    expect(md).toContain('## train');
    expect(md).toMatch(/^## Machine limit: [\d.]+ GFLOP\/s$/m);
    expect(md).toMatch(
      /^\| loops \| 2x3x2x4 \| [\d.]+ (µs|ms|s) \| [\d.]+% \| \d+ \| [\d.]+ \| [\d.]+% \| 1\.00x \|$/m,
    );
    expect(await readFile(join(out, 'bench.html'), 'utf8')).toContain('<svg class="chart" id="time-train"');
  });
});

describe('rnn-harness bench --compare', () => {
  let baselineFile: string;
  beforeAll(async () => {
    // A baseline in which loops' forward was 5x faster and its train step 5x slower than a fresh run: calls
    // of microseconds, judged with twice --min-change (20 %, so 1.4x), which 5x clears by far even when
    // other test files share the machine.
    const fresh = join(dir, 'fresh.json');
    expect(
      (
        await run(
          'bench',
          '--backends',
          'loops',
          '--shapes',
          '3x4x2x5',
          '--rounds',
          '1',
          '--max-time',
          '0.5',
          '--json',
          fresh,
        )
      ).code,
    ).toBe(0);
    const json = JSON.parse(await readFile(fresh, 'utf8'));
    for (const res of json.results) {
      const k = res.op === 'forward' ? 1 / 5 : 5;
      res.meanMs *= k;
      res.sampleMs = res.sampleMs.map((v: number) => v * k);
    }
    baselineFile = join(dir, 'baseline.json');
    await writeFile(baselineFile, JSON.stringify(json));
  });

  it('should mark the slower op as a regression and the faster one as an improvement', async () => {
    const r = await run(
      'bench',
      '--backends',
      'loops',
      '--shapes',
      '3x4x2x5,2x2x2x2',
      '--rounds',
      '1',
      '--max-time',
      '0.5',
      '--compare',
      baselineFile,
      '--min-change',
      '20',
      // The rule on steal time has tests of its own (compare.test.ts); a busy host must not mask this one.
      '--max-steal',
      '100',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/compared with .*baseline\.json: 2 matched, 1 regression$/m);
    expect(r.out).toMatch(/^loops\s+3x4x2x5\s+forward\s.*REGRESSION \(confirmed: \+\d+ % measured again\)$/m);
    expect(r.out).toMatch(/^loops\s+3x4x2x5\s+train\s.*faster \(confirmed: −\d+ % measured again\)$/m);
    expect(r.out).toContain('not in the baseline: loops forward 2x2x2x2, loops train 2x2x2x2');
  });

  it('should exit 1 on a regression with --fail-on-regression', async () => {
    const out = join(dir, 'compared');
    const r = await run(
      'bench',
      '--backends',
      'loops',
      '--shapes',
      '3x4x2x5',
      '--ops',
      'forward',
      '--rounds',
      '1',
      '--max-time',
      '0.5',
      '--compare',
      baselineFile,
      '--min-change',
      '20',
      // The rule on steal time has tests of its own (compare.test.ts); a busy host must not mask this one.
      '--max-steal',
      '100',
      '--fail-on-regression',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    const json = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    expect(json.comparison.rows).toEqual([
      expect.objectContaining({ backend: 'loops', op: 'forward', verdict: 'regression' }),
    ]);
    expect(await readFile(join(out, 'bench.md'), 'utf8')).toMatch(/^## Compared with .*: 1 regression$/m);
  });

  it.each([
    [['--fail-on-regression'], /--fail-on-regression needs --compare BASELINE\.json/],
    [
      ['--compare', '/nonexistent/bench.json'],
      /--compare \/nonexistent\/bench\.json: expected a bench\.json .*could not read it: ENOENT/,
    ],
    [['--min-change=-1', '--compare', '/x'], /--min-change must be a percentage >= 0; got "-1"/],
    [['--max-steal', '0', '--compare', '/x'], /--max-steal must be a percentage in \(0, 100\]; got "0"/],
    [['--max-time', '0'], /--max-time must be a number of seconds > 0; got "0"/],
  ])('should refuse %j with exit 2', async (args, message) => {
    const r = await run('bench', '--backends', 'loops', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('should name the first bad entry of a malformed baseline', async () => {
    const bad = join(dir, 'bad-baseline.json');
    await writeFile(
      bad,
      JSON.stringify({
        results: [
          { backend: 'loops', shape: { B: 1, T: 1, F: 1, H: 1 }, op: 'train', meanMs: 1, rme: 1 },
          { backend: 'loops', op: 'sideways' },
        ],
      }),
    );
    const r = await run('bench', '--backends', 'loops', '--compare', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /results\[1\] must have backend, shape \{B,T,F,H\}, op 'forward'\|'train', meanMs > 0 and rme; got \{"backend":"loops","op":"sideways"\}/,
    );
  });
});

describe('rnn-harness report', () => {
  it('should run check, fuzz and bench --quick and write their files into --out', async () => {
    const out = join(dir, 'report');
    const r = await run('report', '--backends', 'loops', '--seed', '5', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/== check[\s\S]*== fuzz[\s\S]*== bench --quick/);
    expect(JSON.parse(await readFile(join(out, 'check.json'), 'utf8')).ok).toBe(true);
    expect(JSON.parse(await readFile(join(out, 'fuzz.json'), 'utf8'))).toMatchObject({
      runs: 100,
      seed: 5,
      failures: [],
    });
    const bench = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    expect(bench.results.map((x: { shape: { B: number } }) => x.shape.B)).toEqual([1, 1, 32, 32]);
    expect(await readFile(join(out, 'bench.md'), 'utf8')).toContain('| loops | 32x50x32x128 |');
    expect(await readFile(join(out, 'bench.html'), 'utf8')).toContain('<svg class="chart" id="time-train"');
    // The gated cells, each in its own files after the SimpleRNN's.
    expect(r.out).toMatch(
      /== fuzz --cell lstm[\s\S]*== fuzz --cell gru[\s\S]*== bench --quick --cell lstm[\s\S]*== bench --quick --cell gru/,
    );
    const quantities = JSON.parse(await readFile(join(out, 'check.json'), 'utf8')).rows.map(
      (row: { quantity: string }) => row.quantity.split(' ')[0],
    );
    expect(quantities).toEqual(expect.arrayContaining(['lstm', 'gru']));
    for (const cell of ['lstm', 'gru']) {
      expect(JSON.parse(await readFile(join(out, `fuzz-${cell}.json`), 'utf8'))).toMatchObject({ cell, failures: [] });
      const gated = JSON.parse(await readFile(join(out, `bench-${cell}.json`), 'utf8'));
      expect(gated.results.length).toBe(4);
      expect(gated.results.every((x: { cell?: string }) => x.cell === cell)).toBe(true);
      expect(await readFile(join(out, `bench-${cell}.md`), 'utf8')).toContain('| loops | 32x50x32x128 |');
    }
  });
});

describe('rnn-harness train', () => {
  it('should train on the MNIST split and write JSON, a loadable model and the curves', async () => {
    const out = join(dir, 'train');
    const r = await run(
      'train',
      '--backend',
      'loops',
      '--epochs',
      '2',
      '--nodes',
      '8',
      '--batch-size',
      '50',
      '--lr',
      '0.01',
      '--json',
      join(out, 'train.json'),
      '--save',
      join(out, 'model.json'),
      '--html',
      join(out, 'train.html'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rnn-harness train: 8000 training and 2000 held-out MNIST digits/m);
    expect(r.out).toMatch(/^epoch 2\/2 {2}train loss [\d.]+ {2}val loss [\d.]+ {2}val accuracy [\d.]+ {2}[\d.]+ s$/m);
    const json = JSON.parse(await readFile(join(out, 'train.json'), 'utf8'));
    expect(json.trainLoss).toHaveLength(2);
    expect(json.trainLoss[1]).toBeLessThan(json.trainLoss[0]);
    expect(json.testAccuracy).toBeGreaterThan(0.3);
    const model = await loadModel(join(out, 'model.json'), { backend: 'loops' });
    const { test } = await loadMnist({ seed: 0 });
    const x = { shape: [200, 28, 28], data: test.x.data.slice(0, 200 * 784) };
    expect(await model.score(x, test.y.slice(0, 200))).toBeGreaterThan(0.3);
    await model.dispose();
    expect(await readFile(join(out, 'train.html'), 'utf8')).toContain('<svg class="chart" id="accuracy"');
  });

  it.each([
    [['--backend', 'nope'], /rnn-harness train --backend: name must be one of 'loops', /],
    [['--lr', '0'], /--lr must be a number > 0; got "0"/],
    [['--epochs', '1.5'], /--epochs must be an integer >= 1; got "1.5"/],
  ])('should refuse %j with exit 2', async (args, message) => {
    const r = await run('train', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe("the CLI on a wrong backend (the notebook's Problem 3 backward, registered as a plug-in)", () => {
  beforeAll(() => {
    registerBackend({
      name: 'notebook-problem3',
      precision: 'float64',
      description: 'buggy',
      availability: async () => ({ available: true }),
      create: async () => new NotebookBackwardBackend(),
    });
  });
  afterAll(() => unregisterBackend('notebook-problem3'));

  it('should make check exit 1 and mark the failing gradients', async () => {
    const r = await run('check', '--backends', 'loops,notebook-problem3');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^notebook-problem3\s+dwh\s.*FAIL$/m);
    expect(r.out).toMatch(/^notebook-problem3\s+hs\s.*ok$/m);
  });

  it('should make fuzz exit 1 with the seed, path and a shrunk counterexample that replays', async () => {
    const file = join(dir, 'fuzz-bug.json');
    const r = await run('fuzz', '--runs', '100', '--seed', '11', '--backends', 'notebook-problem3', '--json', file);
    expect(r.code).toBe(1);
    const { failures } = JSON.parse(await readFile(file, 'utf8'));
    expect(failures).toHaveLength(1);
    const [f] = failures;
    expect(f).toMatchObject({ property: 'agreement', backend: 'notebook-problem3', seed: 11 });
    expect(r.out).toContain(`seed 11, path ${f.path}`);
    expect(r.out).toContain(`counterexample: ${f.shape}`);
    expect(r.out).toContain(`replay: ${f.replay}`);
    // Problem 3 keeps its accumulators between calls: the shrunk case may fail only after the calls before
    // it. The report says so, and then the case as first drawn must fail on its own when replayed.
    const words = (line: string) => line.split(' ').slice(1);
    const replay = await run(...words(f.replays === false ? f.original.replay : f.replay));
    if (f.replays === false) expect(r.out).toContain(`replay it unshrunk: ${f.original.replay}`);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain(`counterexample: ${f.replays === false ? f.original.shape : f.shape}`);
  });

  it('should write check.md and fuzz.md with --out: the verdict, the table and every failure as printed', async () => {
    const out = join(dir, 'ci');
    expect((await run('check', '--backends', 'notebook-problem3', '--out', out)).code).toBe(1);
    expect(
      (
        await run(
          'fuzz',
          '--runs',
          '30',
          '--seed',
          '11',
          '--property',
          'agreement',
          '--backends',
          'notebook-problem3',
          '--out',
          out,
        )
      ).code,
    ).toBe(1);
    const check = await readFile(join(out, 'check.md'), 'utf8');
    expect(check).toMatch(/^# rnn-harness check\n\n\*\*\d+ of \d+ checks FAILED/);
    expect(check).toMatch(/^\| notebook-problem3 \| dwh \| .* \| \*\*FAIL\*\* \|$/m);
    expect(check).toContain('notebook-problem3: what failed, where and when');
    expect(check).toMatch(/dwh in '.*': dwh\[\d,\d\] is .* where .* was expected/);
    const fuzz = await readFile(join(out, 'fuzz.md'), 'utf8');
    expect(fuzz).toMatch(/^\*\*1 property FAILED\*\*: seed 11/m);
    expect(fuzz).toContain('replay: rnn-harness fuzz --seed 11 --path');
    expect(JSON.parse(await readFile(join(out, 'check.json'), 'utf8')).rows.length).toBeGreaterThan(5);
    expect(JSON.parse(await readFile(join(out, 'fuzz.json'), 'utf8')).failures).toHaveLength(1);
  });

  it('should say a --path given without its --property fits none of the other properties, and not stop', async () => {
    const r = await run(
      'fuzz',
      '--seed',
      '11',
      '--path',
      '0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0',
      '--backends',
      'notebook-problem3',
    );
    expect(r.out).toContain("not run: oracle on loops: the --path given does not fit this property's cases");
  });
});

describe('rnn-harness list', () => {
  it("should show each backend's description on the line under its row", async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^loops\s+float64\s.*yes\n {2}float64 reference: plain loops over flat arrays \(SimpleRNN, LSTM, GRU\)$/m,
    );
  });
});

describe('usage', () => {
  it.each([
    [['fuzz', '--runs', '0'], /--runs must be an integer >= 1; got "0"/],
    [['check', '--backends', 'nope'], /--backends: unknown backend 'nope'; known: loops/],
    [['demo', '--frobnicate'], /rnn-harness demo: Unknown option '--frobnicate'/],
    [['fuzz', '--path', '1:2'], /--path needs the --seed/],
    [
      ['nonsense'],
      /unknown command 'nonsense'; known: report, demo, check, fuzz, bench, list, history, merge, mutants, train/,
    ],
    [
      ['bench', '--shapes', '2x3x4'],
      /--shapes must be a comma-separated list of BxTxFxH with positive integers; got "2x3x4"/,
    ],
    [['bench', '--ops', 'backward'], /--ops must list forward and\/or train; got "backward"/],
  ])('should exit 2 on %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it.each(['report', 'demo', 'check', 'fuzz', 'bench', 'list', 'history', 'merge', 'mutants', 'train'])(
    'should print help for %s and exit 0',
    async (command) => {
      const r = await run(command, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: rnn-harness ${command}`));
    },
  );
});
