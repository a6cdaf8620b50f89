/** The runners behind the CLI, as an API: typed reports, and options refused with the argument named. */
import { describe, expect, it } from 'vitest';
import {
  createBackend,
  RnnInputError,
  runBench,
  runCheck,
  runFuzz,
  runMutants,
  type BackendEntry,
  type RnnBackend,
} from '../src/index.js';
import { flops } from '../src/bench/runner.js';

/**
 * loops under another name, each call done 8 times in the first `slowInstances` instances the entry
 * creates and once in the others.
 */
function slowedEntry(name: string, slowInstances: number): BackendEntry {
  let made = 0;
  return {
    name,
    precision: 'float64',
    validatesInput: true,
    create: async (): Promise<RnnBackend> => {
      const inner = await createBackend('loops');
      const factor = made++ < slowInstances ? 8 : 1;
      const repeat = async <T>(call: () => Promise<T>): Promise<T> => {
        let out = await call();
        for (let i = 1; i < factor; i++) out = await call();
        return out;
      };
      return {
        name,
        precision: 'float64',
        forward: (p, x, o) => repeat(() => inner.forward(p, x, o)),
        backward: (p, x, hs, dhs, o) => repeat(() => inner.backward(p, x, hs, dhs, o)),
        dispose: () => inner.dispose(),
      };
    },
  };
}

describe('the runners', () => {
  it.each([
    [
      'runCheck with no backends',
      () => runCheck({ backends: [] }),
      /runCheck: options\.backends must be a non-empty array of backend names or entries; got an array of length 0/,
    ],
    [
      'runCheck with an unknown name',
      () => runCheck({ backends: ['nope'] }),
      /runCheck: name must be one of 'loops', .*; got "nope"/,
    ],
    [
      'runCheck with a malformed entry',
      () => runCheck({ backends: [{ name: 'x', precision: 'float16', create: () => ({}) } as never] }),
      /runCheck: entry 'x': precision must be 'float64' or 'float32'; got "float16"/,
    ],
    ['runFuzz with 0 runs', () => runFuzz({ runs: 0 }), /runFuzz: options\.runs must be an integer >= 1; got 0/],
    [
      'runFuzz with an unknown property',
      () => runFuzz({ property: 'speed' as never }),
      /runFuzz: options\.property must be 'oracle', 'agreement', 'saturation'; got "speed"/,
    ],
    [
      'runBench with 0 rounds',
      () => runBench({ rounds: 0 }),
      /runBench: options\.rounds must be an integer >= 1; got 0/,
    ],
    [
      'runBench with a sigmoid',
      () => runBench({ activation: 'sigmoid' as never }),
      /runBench: options\.activation must be 'tanh' or 'relu'; got "sigmoid"/,
    ],
    [
      'runMutants with an unknown entry',
      () => runMutants({ only: ['off-by-one'] }),
      /runMutants: options\.only must be names from the catalog .*; got off-by-one/,
    ],
  ])('should refuse %s with an RnnInputError', async (_, call, message) => {
    await expect(call()).rejects.toThrow(message);
    await expect(call()).rejects.toBeInstanceOf(RnnInputError);
  });

  it('should return the check report the CLI prints and writes', async () => {
    const report = await runCheck({ backends: ['loops'] });
    expect(report).toMatchObject({ ok: true, unavailable: [], warnings: [] });
    expect(report.cases[0]).toBe('problem2');
    expect(report.rows.map((r) => `${r.backend}:${r.quantity}:${r.status}`)).toEqual([
      'loops:problem2:pass',
      'loops:peer hs:pass',
      'loops:peer grads:pass',
      'oracle:dwx:pass',
      'oracle:dwh:pass',
      'oracle:db:pass',
      'oracle:dx:pass',
      'oracle:dh0:pass',
    ]);
  });

  it('should return a fuzz report whose failure replays, with the words that load the backends', async () => {
    const buggy = (await import('../examples/plugin/scratch-rnn-buggy.mjs')).default as unknown as BackendEntry;
    const report = await runFuzz({
      backends: [buggy],
      runs: 30,
      seed: 2,
      property: 'agreement',
      replayArgs: ['--plugin', './my dir/buggy.mjs'],
    });
    expect(report.ok).toBe(false);
    const [f] = report.failures;
    expect(f).toMatchObject({ property: 'agreement', backend: 'scratch-buggy', seed: 2 });
    expect(f?.replay).toBe(
      `rnn-harness fuzz --seed 2 --path ${f?.path} --property agreement --backends scratch-buggy --plugin './my dir/buggy.mjs'`,
    );
  });

  it('should confirm a change on new instances: one slow instance is not a regression, a slow backend is', async () => {
    const timing = { shapes: [{ B: 4, T: 10, F: 8, H: 16 }], ops: ['forward' as const], rounds: 1, maxTimeS: 0.3 };
    const names = ['a', 'b', 'c', 'moody', 'steady'];
    const base = await runBench({ ...timing, backends: names.map((n) => slowedEntry(n, 0)) });
    // moody is 8x slower in its first instance only; steady in every instance.
    const slowIn: Record<string, number> = { moody: 1, steady: Infinity };
    const now = await runBench({
      ...timing,
      backends: names.map((n) => slowedEntry(n, slowIn[n] ?? 0)),
      // The rule on steal time has tests of its own (compare.test.ts); a busy host must not mask this one.
      compare: { baseline: base.results, file: 'base.json', maxStealPct: 100 },
    });
    const rows = Object.fromEntries(now.comparison?.rows.map((r) => [r.backend, r]) ?? []);
    expect(rows.moody).toMatchObject({ verdict: 'same', confirmation: { verdict: 'same' } });
    expect(rows.moody?.net).toBeGreaterThan(3);
    expect(rows.steady).toMatchObject({ verdict: 'regression', confirmation: { verdict: 'regression' } });
    expect(rows.a?.verdict).toBe('same');
    expect(now.failures).toEqual([]);
  });

  it('should time a gated cell with --cell, counting its gate blocks, and list a backend without it', async () => {
    const shape = { B: 2, T: 3, F: 4, H: 5 };
    const scratch = (await import('../examples/plugin/scratch-rnn.mjs')).default as unknown as BackendEntry;
    const report = await runBench({
      backends: ['loops', scratch],
      cell: 'gru',
      shapes: [shape],
      ops: ['train'],
      rounds: 1,
      maxTimeS: 0.1,
    });
    expect(report.environment.cell).toBe('gru');
    const [r] = report.results;
    expect(r).toMatchObject({ backend: 'loops', cell: 'gru', op: 'train' });
    // A GRU's train step: 3 gate blocks of 6·B·T·H·(F+H) = 3 · 6 · 2 · 3 · 5 · 9 = 4860 flops.
    expect(flops(shape, 'train', 'gru')).toBe(4860);
    expect(r?.gflops).toBeCloseTo(4860 / (r?.meanMs ?? 1) / 1e6, 6);
    expect(report.notSupported).toEqual([{ backend: 'scratch', reason: 'gru not supported (declares cells: rnn)' }]);
    await expect(runBench({ backends: ['loops'], cell: 'lstmx' as 'lstm' })).rejects.toThrow(
      /runBench: options\.cell must be 'rnn', 'lstm' or 'gru'; got "lstmx"/,
    );
  });
});
