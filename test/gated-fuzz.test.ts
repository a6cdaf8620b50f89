/**
 * fuzz --cell lstm|gru: loops' gated gradients hold against finite differences on random cases, and a
 * gated bug of a real project shrinks to a small case that fails by a wide margin and replays with --cell.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../src/run/fuzz.js';
import type { BackendEntry } from '../src/registry/types.js';
import { WIDE_MARGIN } from '../src/check/properties.js';
import { caseValues } from '../src/report/fuzz-text.js';
import { gruAlwaysResetAfter, lstmC0Ignored } from './helpers/planted-gated.js';

type Shown = { shape: Record<'B' | 'T' | 'F' | 'H', number>; cell?: string; resetAfter?: boolean; c0?: unknown };

describe('fuzz --cell', () => {
  it.each(['lstm', 'gru'] as const)(
    "should find nothing in loops' %s gradients against finite differences",
    async (cell) => {
      const report = await runFuzz({ backends: ['loops'], cell, runs: 40, seed: 3, jobs: 1 });
      expect(report.ok).toBe(true);
      expect(report.cell).toBe(cell);
      expect(report.properties).toEqual([
        expect.objectContaining({ name: 'oracle', backend: 'loops', runs: 40, ok: true }),
      ]);
    },
  );

  it("should shrink a GRU that ignores resetAfter: false to a small 'reset before' case, replayed with --cell gru", async () => {
    const report = await runFuzz({
      backends: [gruAlwaysResetAfter()],
      cell: 'gru',
      property: 'agreement',
      runs: 100,
      seed: 1,
      jobs: 1,
    });
    expect(report.failures).toHaveLength(1);
    const f = report.failures[0]!;
    const c = f.counterexample as Shown;
    expect(c.cell).toBe('gru');
    expect(c.resetAfter).toBe(false);
    const { B, T, F, H } = c.shape;
    expect(B * T * F * H).toBeLessThanOrEqual(8);
    expect(f.ratio).toBeGreaterThanOrEqual(WIDE_MARGIN);
    expect(f.replay).toMatch(/ --cell gru\b/);
    // The printed values include the GRU's second bias.
    expect(caseValues(f.counterexample)).toMatch(/ {2}bh \[/);
  });

  it('should fuzz the same GRU declaring gruResetBefore: false on reset-after cases only, and pass it', async () => {
    const declared = { ...gruAlwaysResetAfter(), name: 'gru-after-only', gruResetBefore: false };
    const report = await runFuzz({
      backends: [declared],
      cell: 'gru',
      property: 'agreement',
      runs: 60,
      seed: 1,
      jobs: 1,
    });
    expect(report.failures).toEqual([]);
    expect(report.properties).toEqual([expect.objectContaining({ name: 'agreement', runs: 60, ok: true })]);
  });

  it('should shrink an LSTM that drops c0 to a case with c0 given', async () => {
    const report = await runFuzz({
      backends: [lstmC0Ignored()],
      cell: 'lstm',
      property: 'agreement',
      runs: 100,
      seed: 2,
      jobs: 1,
    });
    expect(report.failures).toHaveLength(1);
    const c = report.failures[0]!.counterexample as Shown;
    expect(c.cell).toBe('lstm');
    expect(c.c0).not.toBeNull();
    expect(report.failures[0]!.ratio).toBeGreaterThanOrEqual(WIDE_MARGIN);
  });

  it('should list a backend that does not declare the cell as not run, with the reason', async () => {
    // The example plug-in is a SimpleRNN only.
    const scratch = (await import('../examples/plugin/scratch-rnn.mjs')).default as unknown as BackendEntry;
    const report = await runFuzz({
      backends: [scratch],
      cell: 'lstm',
      property: 'agreement',
      runs: 5,
      seed: 1,
      jobs: 1,
    });
    expect(report.notRun).toEqual([
      expect.objectContaining({
        backend: 'scratch',
        reason: expect.stringMatching(/^lstm: not supported \(the backend declares cells: rnn\)$/),
      }),
    ]);
    expect(report.properties.filter((p) => p.backend === 'scratch')).toEqual([]);
  });

  it.each(['lstm', 'gru'] as const)(
    'should fuzz the %s at large sizes, the oracle directional, and find nothing on wasm',
    async (cell) => {
      const report = await runFuzz({ backends: ['wasm'], cell, sizes: 'large', runs: 4, seed: 3, jobs: 1 });
      expect(report).toMatchObject({ ok: true, sizes: 'large', cell, failures: [] });
      expect(report.properties.map((p) => `${p.name} ${p.backend} ${p.runs}`)).toEqual([
        'oracle loops 4',
        'agreement wasm 4',
        'saturation wasm 4',
      ]);
    },
    300_000,
  );

  it('should shrink a GRU that ignores resetAfter: false at large sizes too', async () => {
    const report = await runFuzz({
      backends: [gruAlwaysResetAfter()],
      cell: 'gru',
      sizes: 'large',
      property: 'agreement',
      runs: 20,
      seed: 2,
    });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.counterexample).toMatchObject({ resetAfter: false });
  }, 300_000);

  it('should refuse an unknown cell, naming the option', async () => {
    await expect(runFuzz({ backends: ['loops'], cell: 'lstmx' as 'lstm' })).rejects.toThrow(
      /runFuzz: options\.cell must be one of rnn, lstm, gru; got "lstmx"/,
    );
  });
});
