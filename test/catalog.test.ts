import fc from 'fast-check';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG, cellOf, correctScratch } from '../src/catalog/index.js';
import { ScratchGru } from '../src/catalog/gru-scratch.js';
import { ScratchLstm } from '../src/catalog/lstm-scratch.js';
import { likelyCauses, signatureOf } from '../src/catalog/signature.js';
import { agreementProperty, GATED_SATURATED, saturationProperty } from '../src/check/properties.js';
import { CHECK_SEED, checkBackend, checkCases, checkProblem2 } from '../src/check/suite.js';
import { main } from '../src/cli/main.js';
import { createBackend } from '../src/index.js';

const reference = await createBackend('loops');
afterAll(() => reference.dispose());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the bug catalog', () => {
  it('should have at least 10 entries with distinct names and one-line descriptions', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(10);
    expect(new Set(CATALOG.map((e) => e.name)).size).toBe(CATALOG.length);
    for (const e of CATALOG) expect(e.description).toMatch(/^[^\n]{20,200}$/);
  });

  it.each(CATALOG.map((e) => [e.name, e] as const))(
    'should show %s in check exactly as its signature says (quantity: when it fails)',
    async (_, e) => {
      const b = e.create('float64');
      const rows = await checkBackend(b, reference, checkCases(CHECK_SEED, cellOf(e)));
      expect(signatureOf(rows)).toEqual(e.signature);
      const causes = likelyCauses(
        rows,
        rows.map((r) => r.quantity),
        cellOf(e),
      );
      expect(causes.map((c) => c.name)).toContain(e.name);
      // A cause is only ever named from the entries of the cell that was checked.
      for (const c of causes) expect(cellOf(CATALOG.find((x) => x.name === c.name)!)).toBe(cellOf(e));
    },
  );

  it.each(['float64', 'float32'] as const)(
    'should be built on scaffolding that passes every check without a bug (%s)',
    async (precision) => {
      const b = correctScratch(precision);
      const rows = [await checkProblem2(b), ...(await checkBackend(b, reference, checkCases()))];
      expect(rows.filter((r) => !r.ok)).toEqual([]);
      await fc.assert(agreementProperty(b, reference), { numRuns: 100, seed: 9 });
      await fc.assert(saturationProperty(b, reference), { numRuns: 50, seed: 9 });
    },
  );

  it('should have at least 10 gated entries, each with its cell and its public source', () => {
    const gated = CATALOG.filter((e) => e.cell !== undefined);
    expect(gated.length).toBeGreaterThanOrEqual(10);
    expect(new Set(gated.map((e) => e.cell))).toEqual(new Set(['lstm', 'gru']));
    for (const e of gated) expect(e.source).toMatch(/\S{4,}/);
  });

  it.each(
    (['float64', 'float32'] as const).flatMap((precision) => [
      ['lstm', precision, new ScratchLstm('scratch-lstm', undefined, precision)] as const,
      ['gru', precision, new ScratchGru('scratch-gru', undefined, precision)] as const,
    ]),
  )('should build the %s entries on scaffolding that passes every check without a bug (%s)', async (cell, _, b) => {
    const rows = await checkBackend(b, reference, checkCases(CHECK_SEED, cell));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    await fc.assert(agreementProperty(b, reference, { cell }), { numRuns: 100, seed: 9 });
    await fc.assert(agreementProperty(b, reference, { ...GATED_SATURATED, cell }), { numRuns: 50, seed: 9 });
  });
});

describe('rnn-harness mutants', () => {
  it('should kill every entry and write name, description, killed, caughtBy, counterexample and ms', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rnn-harness-mutants-')), 'mutants.json');
    const r = await run('mutants', '--runs', '50', '--json', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`all ${CATALOG.length} killed`);
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json.mutants.map((m: { name: string }) => m.name)).toEqual(CATALOG.map((e) => e.name));
    for (const m of json.mutants) {
      expect(m).toMatchObject({ killed: true, description: expect.any(String), ms: expect.any(Number) });
      expect(m.caughtBy.length).toBeGreaterThan(0);
      expect(m.counterexample).toMatchObject({
        B: expect.any(Number),
        T: expect.any(Number),
        F: expect.any(Number),
        H: expect.any(Number),
      });
    }
    const by = (name: string) => json.mutants.find((m: { name: string }) => m.name === name).caughtBy;
    expect(by('overflowing-tanh')).toEqual(expect.arrayContaining(['check:hs', 'fuzz:saturation']));
    expect(by('bias-grad-averaged')).toEqual(['check:db', 'fuzz:agreement']);
    // The gated entries are checked and fuzzed with their own cell.
    const row = (name: string) => json.mutants.find((m: { name: string }) => m.name === name);
    expect(row('lstm-bias-grads-from-forget-gate')).toMatchObject({
      cell: 'lstm',
      source: 'hanbt/learn_dl#53',
      caughtBy: ['check:db', 'fuzz:agreement'],
      counterexample: { cell: 'lstm' },
    });
    expect(row('gru-reset-before-when-after').caughtBy).toEqual(expect.arrayContaining(['check:hs', 'fuzz:agreement']));
    expect(row('lstm-cell-grad-not-carried').counterexample.T).toBeGreaterThan(1);
    expect(r.out).toMatch(/^gru-gate-order-zrn \(gru\)\s+yes\s/m);
  });

  it('should still catch every bug but float32 accumulation when the mutants claim float32', async () => {
    const r = await run('mutants', '--runs', '50', '--precision', 'float32');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^1 SURVIVED: float32-accumulation$/m);
  });

  it.each([
    [['--only', 'nope'], /--only names unknown entries nope; known: notebook-problem3, /],
    [['--precision', 'float16'], /--precision must be float64 or float32; got "float16"/],
  ])('should refuse %j with exit 2', async (args, message) => {
    const r = await run('mutants', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
