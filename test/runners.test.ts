/** The runners behind the CLI, as an API: typed reports, and options refused with the argument named. */
import { describe, expect, it } from 'vitest';
import { RnnInputError, runBench, runCheck, runFuzz, runMutants, type BackendEntry } from '../src/index.js';

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
});
