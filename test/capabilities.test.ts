/**
 * Capabilities: a backend is checked on exactly what it declares, and what it leaves out is shown, never
 * passed. The learner fixture is right only under its declarations (it ignores h0 and reads only the last
 * step's dhs), so these tests fail if the harness checks it on anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityGaps, resolveCapabilities } from '../src/core/capabilities.js';
import { conformanceTests } from '../src/conformance/tests.js';
import { createBackend, runCheck, runFuzz, type BackendEntry, type RnnBackend } from '../src/index.js';
import { guardBackend } from '../src/run/guard.js';

const learner = (await import('./fixtures/plugins/learner.mjs')).default as unknown as BackendEntry;

describe('resolveCapabilities', () => {
  it('should default to everything but validating input and the gated cells, and let the backend override its entry', () => {
    expect(resolveCapabilities()).toEqual({
      cells: ['rnn'],
      gruResetBefore: true,
      activations: ['tanh', 'relu'],
      gradients: ['wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0'],
      lastStepOnly: false,
      initialState: true,
      validatesInput: false,
    });
    expect(resolveCapabilities({ validatesInput: true }).validatesInput).toBe(true);
    expect(resolveCapabilities({ cells: ['rnn', 'gru'] }, { cells: ['lstm'] }).cells).toEqual(['lstm']);
    expect(resolveCapabilities({ activations: ['relu'], lastStepOnly: true }, { activations: ['tanh'] })).toMatchObject(
      { activations: ['tanh'], lastStepOnly: true },
    );
  });

  it('should list every gap with its reason, dh0 included when there is no h0', () => {
    const gaps = capabilityGaps(resolveCapabilities(learner));
    expect(gaps.map((g) => `${g.what}: ${g.status}`)).toEqual([
      'h0 given: not supported',
      'dx: not provided',
      'dh0: not provided',
      'dhs before the last step: not provided',
    ]);
  });

  it('should list, for the gated cells checked, a cell not declared, the reset gate before, and a missing dbh', () => {
    const caps = resolveCapabilities({
      cells: ['rnn', 'gru'],
      gruResetBefore: false,
      gradients: ['wx', 'wh', 'b', 'x', 'h0'],
    });
    expect(capabilityGaps(caps, ['lstm', 'gru']).map((g) => `${g.what}: ${g.status}`)).toEqual([
      'lstm: not supported',
      'gru resetAfter: false: not supported',
      'dbh: not provided',
    ]);
    // A check of the SimpleRNN alone shows none of them.
    expect(capabilityGaps(caps)).toEqual([]);
  });
});

describe('a learner backend checked on its declarations (an entry passed to runCheck, never registered)', () => {
  it('should pass check, with a visible row for everything it leaves out', async () => {
    const report = await runCheck({ backends: [learner] });
    expect(report.ok).toBe(true);
    const rows = report.rows.filter((r) => r.backend === 'learner');
    expect(rows.filter((r) => r.status === 'pass').map((r) => r.quantity)).toEqual([
      'problem2',
      'hs',
      'dwx',
      'dwh',
      'db',
      'peer hs',
    ]);
    expect(rows.filter((r) => r.status !== 'pass').map((r) => `${r.quantity}: ${r.status}`)).toEqual([
      'h0 given: not supported',
      'dx: not provided',
      'dh0: not provided',
      'dhs before the last step: not provided',
    ]);
    expect(rows.every((r) => r.status !== 'pass' || r.ok)).toBe(true);
    expect(rows.filter((r) => r.status !== 'pass').every((r) => !r.ok)).toBe(true);
    expect(report.capabilities.learner).toBe('activations tanh, relu; gradients dwx, dwh, db; last step only; h0 = 0');
  });

  it('should fail when checked on what it does not declare (so the declarations are what makes it pass)', async () => {
    const { gradients, lastStepOnly, initialState, ...undeclared } = learner;
    void gradients;
    void lastStepOnly;
    void initialState;
    const report = await runCheck({ backends: [{ ...undeclared, name: 'learner-undeclared' }] });
    expect(report.ok).toBe(false);
    const failed = report.rows
      .filter((r) => r.backend === 'learner-undeclared' && r.status === 'fail')
      .map((r) => r.quantity);
    expect(failed).toEqual(expect.arrayContaining(['dwx', 'dx', 'dh0']));
  });

  it('should pass fuzz, saying what was not run', async () => {
    const report = await runFuzz({ backends: [learner], runs: 60, seed: 4 });
    expect(report.failures).toEqual([]);
    expect(report.properties.filter((p) => p.backend === 'learner').map((p) => p.name)).toEqual([
      'agreement',
      'saturation',
    ]);
    expect(report.notRun.map((n) => n.reason)).toContain(
      'dx: not provided (the backend declares gradients: wx, wh, b)',
    );
  });

  describe('the conformance suite', () => {
    let backend: RnnBackend;
    let unchecked: RnnBackend;
    let reference: RnnBackend;
    const caps = resolveCapabilities(learner);
    beforeAll(async () => {
      const raw = await learner.create();
      backend = guardBackend(raw, { capabilities: caps });
      unchecked = guardBackend(raw, { capabilities: caps, checkResults: false });
      reference = await createBackend('loops');
    });
    afterAll(() => reference.dispose());

    const tests = conformanceTests(caps, { numRuns: 40 });
    it('should skip, with the reason, the peer cases with h0 and every gap', () => {
      const skipped = tests.filter((t) => 'skip' in t).map((t) => `${t.name} (${'skip' in t ? t.skip : ''})`);
      expect(skipped).toContain(
        "should match swift_apis_rnn from tensorflow/swift-apis within the peer's tolerance (h0 given: not supported)",
      );
      expect(skipped).toContain(
        "dhs before the last step: not provided (the backend declares lastStepOnly: backward reads only the last step's dhs)",
      );
      expect(skipped.some((s) => s.startsWith('should refuse h0 of the wrong batch'))).toBe(false);
    });
    it.each(tests.filter((t) => 'run' in t).map((t) => [t.name, t] as const))('%s', async (_, t) => {
      if ('run' in t) await t.run({ backend, unchecked, reference, capabilities: caps });
    });
  });
});
