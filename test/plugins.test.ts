/**
 * Backends from outside through the CLI: --plugin on every command, capabilities, and backends that
 * misbehave (throw, return NaN or the wrong shape, hang, fail to start) becoming failed rows while the
 * others are still checked and timed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'shell-quote';
import { main } from '../src/cli/main.js';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const PLUGIN = './examples/plugin/scratch-rnn.mjs';
const BUGGY = './examples/plugin/scratch-rnn-buggy.mjs';
const RELU = './examples/plugin/relu-only.mjs';
const BAD = './test/fixtures/plugins/misbehaving.mjs';

describe('a plug-in through --plugin', () => {
  it('should be listed, with what it declares', async () => {
    const r = await run('list', '--plugin', RELU);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^scratch-relu\s+float64\s+activations relu; gradients dwx, dwh, db, dx, dh0\s+yes$/m);
  });

  it("should pass check when it is right: every quantity and the peers' cases, exit 0", async () => {
    const r = await run('check', '--plugin', PLUGIN, '--backends', 'scratch');
    expect(r.code).toBe(0);
    for (const q of ['problem2', 'hs', 'dwx', 'dwh', 'db', 'dx', 'dh0', 'peer hs', 'peer grads'])
      expect(r.out).toMatch(new RegExp(`^scratch\\s+${q}\\s.*ok$`, 'm'));
    expect(r.out).toMatch(/^all \d+ checks passed$/m);
  });

  it('should fail check on the one wrong gradient and pass the rest, exit 1', async () => {
    const r = await run('check', '--plugin', BUGGY, '--backends', 'scratch-buggy');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^scratch-buggy\s+db\s.*FAIL$/m);
    expect(r.out.match(/^scratch-buggy\s.*FAIL$/gm)).toHaveLength(1);
    expect(r.out).toMatch(/^1 of \d+ checks FAILED$/m);
  });

  it('should print a fuzz replay line that, pasted verbatim, reproduces the failure', async () => {
    const r = await run('fuzz', '--plugin', BUGGY, '--backends', 'scratch-buggy', '--seed', '7', '--runs', '50');
    expect(r.code).toBe(1);
    const line = /replay: (rnn-harness fuzz .*)$/m.exec(r.out)?.[1];
    expect(line).toContain(`--plugin ${BUGGY}`);
    const words = parse(line as string) as string[];
    const replay = await run(...words.slice(1));
    expect(replay.code).toBe(1);
    expect(replay.out).toContain(/counterexample: .*$/m.exec(r.out)?.[0]);
    expect(replay.out).toMatch(/^FAIL {2}agreement on scratch-buggy after 1 cases, shrunk 0 times$/m);
  });

  it('should say when a shrunk failure passes on a fresh backend: state kept between calls', async () => {
    const r = await run(
      'fuzz',
      '--plugin',
      './test/fixtures/plugins/stateful.mjs',
      '--backends',
      'stateful',
      '--seed',
      '3',
      '--runs',
      '50',
      '--property',
      'agreement',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /note: this case passes on a freshly created backend: the failure depends on what earlier calls left/,
    );
    const buggy = await run('fuzz', '--plugin', BUGGY, '--backends', 'scratch-buggy', '--seed', '7', '--runs', '50');
    expect(buggy.out).not.toMatch(/passes on a freshly created backend/);
  });

  it('should run demo and train on it', async () => {
    const demo = await run('demo', '--plugin', PLUGIN, '--backends', 'scratch');
    expect(demo.code).toBe(0);
    expect(demo.out).toMatch(/^scratch\s+0\.79494228 0\.81839002 0\.83939649 0\.85584174$/m);
    const train = await run(
      'train',
      '--plugin',
      PLUGIN,
      '--backend',
      'scratch',
      '--epochs',
      '1',
      '--nodes',
      '4',
      '--batch-size',
      '500',
    );
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/4 tanh units on scratch/);
  });
});

describe('a ReLU-only plug-in', () => {
  it('should get all its relu rows from check and a visible tanh "not supported" row', async () => {
    const r = await run('check', '--plugin', RELU, '--backends', 'scratch-relu');
    expect(r.code).toBe(0);
    for (const q of ['hs', 'dwx', 'dwh', 'db', 'dx', 'dh0', 'peer hs'])
      expect(r.out).toMatch(new RegExp(`^scratch-relu\\s+${q}\\s.*ok$`, 'm'));
    expect(r.out).toMatch(
      /^scratch-relu\s+tanh\s.*the backend declares activations: relu \(\d+ cases left out\)\s+not supported$/m,
    );
    expect(r.out).toMatch(/; 1 left out \(not supported or not provided\)$/m);
  });

  it('should be fuzzed on relu only, saying what was not run', async () => {
    const r = await run('fuzz', '--plugin', RELU, '--backends', 'scratch-relu', '--seed', '3', '--runs', '30');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {4}agreement on scratch-relu: 30 cases/m);
    expect(r.out).not.toMatch(/saturation on scratch-relu: \d+ cases/);
    expect(r.out).toMatch(/^not run: saturation, and agreement on tanh on scratch-relu: tanh: not supported/m);
  });

  it('should be timed with --activation relu and listed as not supported with tanh', async () => {
    const args = [
      'bench',
      '--plugin',
      RELU,
      '--backends',
      'loops,scratch-relu',
      '--shapes',
      '2x3x2x4',
      '--ops',
      'forward',
      '--rounds',
      '1',
      '--max-time',
      '0.2',
    ];
    const relu = await run(...args, '--activation', 'relu');
    expect(relu.code).toBe(0);
    expect(relu.out).toMatch(/activation relu/);
    expect(relu.out).toMatch(/^scratch-relu\s+2x3x2x4\s+forward\s+[\d.]+ (µs|ms)/m);
    const tanh = await run(...args);
    expect(tanh.code).toBe(0);
    expect(tanh.out).toMatch(
      /^scratch-relu\s+-\s+-\s+not supported\s+tanh not supported \(declares activations: relu\)$/m,
    );
    expect(tanh.out).toMatch(/^loops\s+2x3x2x4\s+forward\s+[\d.]+ (µs|ms)/m);
  });
});

describe('backends that misbehave', () => {
  const all = ['--plugin', BAD, '--backends', 'loops,throws,nan,wrong-shape,hangs,create-fails', '--timeout-ms', '300'];

  it('should each be a failed row of check with the reason, and loops still checked', async () => {
    const r = await run('check', ...all);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^loops\s+problem2\s.*ok$/m);
    expect(r.out).toMatch(/^throws\s+hs\s.*kernel exploded\s+FAIL$/m);
    expect(r.out).toMatch(/^nan\s+hs\s+Infinity\s.*FAIL$/m);
    expect(r.out).toMatch(
      /^wrong-shape\s+hs\s.*wrong-shape\.forward's result hs must be a tensor of shape \[1,3,4\].*; got shape \[1,4\]\s+FAIL$/m,
    );
    expect(r.out).toMatch(/^hangs\s+problem2\s.*hangs\.forward: no answer within 300 ms \(--timeout-ms\)\s+FAIL$/m);
    expect(r.out).toMatch(/^create-fails\s+create\s.*no licence for this machine\s+FAIL$/m);
  });

  it('should keep a plain node process alive until a hung call times out, then exit 1', async () => {
    // A promise that never settles holds nothing open: without a live timer the process would end at
    // the hang with exit code 0 and no table.
    const cli = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
    const r = await promisify(execFile)(process.execPath, [
      cli,
      'check',
      '--plugin',
      BAD,
      '--backends',
      'hangs',
      '--timeout-ms',
      '300',
    ]).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^hangs\s+problem2\s.*no answer within 300 ms/m);
  });

  it('should each be a FAILED row of bench, and loops still timed', async () => {
    const r = await run('bench', ...all, '--shapes', '2x3x2x4', '--rounds', '1', '--max-time', '0.2');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^loops\s+2x3x2x4\s+forward\s+[\d.]+ (µs|ms)/m);
    expect(r.out).toMatch(/^throws\s+2x3x2x4\s+forward\s+FAILED\s+kernel exploded$/m);
    expect(r.out).toMatch(/^wrong-shape\s+2x3x2x4\s+forward\s+FAILED\s+wrong-shape\.forward's result hs must be/m);
    expect(r.out).toMatch(/^hangs\s+2x3x2x4\s+forward\s+FAILED\s+hangs\.forward: no answer within 300 ms/m);
    expect(r.out).toMatch(/^create-fails\s+-\s+-\s+FAILED\s+could not be started: .*no licence for this machine$/m);
    expect(r.out).toMatch(/measurements? FAILED \(see above\); the others were timed/);
  });

  it('should each fail fuzz with the reason, and the oracle still run', async () => {
    const r = await run('fuzz', ...all, '--runs', '10', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ok {4}oracle on loops: 10 cases/m);
    expect(r.out).toMatch(/^FAIL {2}agreement on throws/m);
    expect(r.out).toMatch(/^ {6}hangs\.forward: no answer within 300 ms/m);
    expect(r.out).toMatch(/^FAIL {2}create-fails could not be started: .*no licence/m);
  });
});

describe('a plug-in that cannot be loaded', () => {
  it.each([
    [['--plugin', './nope.mjs'], /rnn-harness check: --plugin \.\/nope\.mjs: no such file \(looked for .*nope\.mjs\)/],
    [
      ['--plugin', 'no-such-package-rnn'],
      /--plugin no-such-package-rnn: neither a file nor a package installed in .*; give a path such as \.\/no-such-package-rnn or npm install no-such-package-rnn/,
    ],
    [
      ['--plugin', './test/fixtures/plugins/throws-on-import.mjs'],
      /--plugin \.\/test\/fixtures\/plugins\/throws-on-import\.mjs: the module threw on import: this plug-in needs a GPU driver it cannot find/,
    ],
    [
      ['--plugin', './test/fixtures/plugins/no-default.mjs'],
      /no-default\.mjs: the module has no default export; expected a default export that is a BackendEntry \{ name, precision, create, … \} or an array of them/,
    ],
    [
      ['--plugin', './test/fixtures/plugins/float16.mjs'],
      /float16\.mjs: default export is not a valid BackendEntry: registerBackend: entry 'half': precision must be 'float64' or 'float32'; got "float16"/,
    ],
    [
      ['--plugin', './test/fixtures/plugins/named-loops.mjs'],
      /named-loops\.mjs: a backend named 'loops' is already registered; rename it/,
    ],
    [
      ['--backends', 'scratch-nope'],
      /--backends: unknown backend 'scratch-nope'; known: loops, .* \(a plug-in needs --plugin MODULE, a program --exec NAME=COMMAND\)/,
    ],
  ])('should exit 2 on %j, naming the module and what was expected', async (args, message) => {
    const r = await run('check', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it.each(['check', 'fuzz', 'bench', 'report', 'demo', 'list', 'train'])(
    'should be refused the same way by %s',
    async (command) => {
      const r = await run(command, '--plugin', './nope.mjs');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--plugin \.\/nope\.mjs: no such file/);
    },
  );
});
