/**
 * check --cell lstm|gru: the suite's cases come in pairs that separate c0 from h0 and the reset gate's two
 * places; loops passes its own oracle and the 67 expectations of ONNX, ONNX Runtime, Keras and TF.js tests
 * (whose numbers the harness did not compute); and a backend with a gated bug of a real project is shown
 * failing with what its failing cases share.
 */
import { describe, expect, it } from 'vitest';
import { caseFeatures } from '../src/check/diagnosis.js';
import { checkCases } from '../src/check/suite.js';
import { gatedPeerCases, gatedPeerRnnCase } from '../src/check/gated-peer-cases.js';
import { runCheck } from '../src/run/check.js';
import { gruAlwaysResetAfter, lstmC0Ignored, plantedEntry } from './helpers/planted-gated.js';
import { CELLS } from '../src/core/kinds.js';
import type { BackendEntry } from '../src/registry/types.js';

describe('the gated suite', () => {
  it('should pair LSTM cases so that c0 and h0 separate', () => {
    const cases = checkCases(undefined, 'lstm');
    const features = cases.filter((c) => c.saturated !== true).map((c) => caseFeatures(c.c));
    expect(features.some((f) => f.includes('h0') && f.includes('no c0'))).toBe(true);
    expect(features.some((f) => f.includes('h0') && f.includes('c0'))).toBe(true);
    expect(features.some((f) => f.includes('no h0') && f.includes('no c0'))).toBe(true);
    for (const c of cases) expect(c.c.params.wx.shape).toEqual([c.c.F, 4 * c.c.H]);
  });

  it('should give the GRU both places of the reset gate, each with and without h0, and a bh', () => {
    const cases = checkCases(undefined, 'gru');
    for (const after of [true, false])
      for (const h0 of [true, false])
        expect(cases.some((c) => c.c.resetAfter === after && (c.c.h0 !== undefined) === h0 && c.c.T > 1)).toBe(true);
    for (const c of cases) expect(c.c.params.bh?.shape).toEqual([3 * c.c.H]);
  });

  it('should saturate every gate in the saturated cases (|bias| = 30)', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const sat = checkCases(undefined, cell).filter((c) => c.saturated === true);
      expect(sat.length).toBe(cell === 'gru' ? 2 : 1);
      for (const c of sat) for (const v of c.c.params.b.data) expect(Math.abs(v)).toBe(30);
    }
  });
});

describe("other frameworks' gated expectations", () => {
  it('should hold 33 LSTM and 34 GRU cases from four projects, each naming its source and licence', () => {
    expect(gatedPeerCases('lstm')).toHaveLength(33);
    expect(gatedPeerCases('gru')).toHaveLength(34);
    expect(new Set(gatedPeerCases().map((p) => p.project)).size).toBe(4);
    for (const p of gatedPeerCases()) {
      expect(p.url).toMatch(/^https:\/\/github\.com\//);
      expect(p.license).toMatch(/MIT|Apache/);
      const c = gatedPeerRnnCase(p);
      expect(c.params.wx.shape).toEqual([p.F, (p.cell === 'lstm' ? 4 : 3) * p.H]);
    }
    // Both places of the GRU's reset gate.
    expect(new Set(gatedPeerCases('gru').map((p) => p.resetAfter !== false))).toEqual(new Set([true, false]));
  });
});

describe('check --cell', () => {
  it.each(['lstm', 'gru'] as const)(
    'should pass loops on the %s suite, its oracle and the peers',
    async (cell) => {
      const report = await runCheck({ backends: ['loops'], cell, jobs: 1 });
      expect(report.ok).toBe(true);
      const quantities = report.rows.map((r) => `${r.backend} ${r.quantity}`);
      expect(quantities).toContain(`loops ${cell} peer hs`);
      const keys = cell === 'lstm' ? ['wx', 'wh', 'b', 'x', 'h0', 'c0'] : ['wx', 'wh', 'b', 'bh', 'x', 'h0'];
      for (const k of keys) expect(quantities).toContain(`oracle ${cell} d${k}`);
    },
    60_000,
  );

  it('should show a backend that does not declare the cell as not supported, never as passed', async () => {
    // The example plug-in is a SimpleRNN only.
    const scratch = (await import('../examples/plugin/scratch-rnn.mjs')).default as unknown as BackendEntry;
    const report = await runCheck({ backends: ['loops', scratch], cell: 'gru', jobs: 1 });
    const rows = report.rows.filter((r) => r.backend === 'scratch');
    expect(rows).toEqual([expect.objectContaining({ quantity: 'gru', status: 'not supported', ok: false })]);
    expect(rows[0]?.worstCase).toMatch(/declares cells: rnn$/);
  });

  it('should name the function, the option and what it got for an unknown cell', async () => {
    await expect(runCheck({ backends: ['loops'], cell: 'lstmx' as 'lstm' })).rejects.toThrow(
      /runCheck: options\.cell must be one of rnn, lstm, gru or all; got "lstmx"/,
    );
  });

  it('should cover every cell with --cell all', async () => {
    const report = await runCheck({ backends: ['loops'], cell: 'all', jobs: 1 });
    expect(report.ok).toBe(true);
    for (const cell of CELLS) {
      const q = cell === 'rnn' ? 'peer hs' : `${cell} peer hs`;
      expect(report.rows.some((r) => r.quantity === q)).toBe(true);
    }
  }, 60_000);
});

describe('check --cell on a gated bug of a real project', () => {
  it("should show a GRU that ignores resetAfter: false (burn#2704) failing only when 'reset before'", async () => {
    const entry = gruAlwaysResetAfter();
    const report = await runCheck({ backends: ['loops', entry], cell: 'gru', jobs: 1 });
    const hs = report.rows.find((r) => r.backend === entry.name && r.quantity === 'gru hs');
    expect(hs).toMatchObject({ status: 'fail', failsWhen: ['reset before'] });
    expect(hs?.worst?.element).toMatch(/^hs\[b=\d+,t=\d+,h=\d+\]$/);
    // ONNX and ONNX Runtime assert linear_before_reset = 0, the reset before the product.
    expect(report.rows.find((r) => r.backend === entry.name && r.quantity === 'gru peer hs')?.status).toBe('fail');
  });

  it("should show an LSTM that ignores c0 failing only when 'c0'", async () => {
    const entry = lstmC0Ignored();
    const report = await runCheck({ backends: ['loops', entry], cell: 'lstm', jobs: 1 });
    const rows = report.rows.filter((r) => r.backend === entry.name && r.status === 'fail');
    expect(rows.map((r) => r.quantity)).toEqual(expect.arrayContaining(['lstm hs', 'lstm dwx', 'lstm dc0']));
    expect(rows.find((r) => r.quantity === 'lstm hs')?.failsWhen).toEqual(['c0']);
  });

  it("should show a GRU whose bias for every gate is the first gate's (numpy-ml#42) in hs and its gradients", async () => {
    const entry = plantedEntry('gru-one-bias', ['gru'], (p, o) => {
      const b = Float64Array.from(p.b.data);
      const H = b.length / 3;
      for (let k = H; k < 3 * H; k++) b[k] = b[k % H] as number;
      return [{ ...p, b: { shape: p.b.shape, data: b } }, o];
    });
    const report = await runCheck({ backends: ['loops', entry], cell: 'gru', jobs: 1 });
    const failed = report.rows.filter((r) => r.backend === entry.name && r.status === 'fail').map((r) => r.quantity);
    expect(failed).toEqual(expect.arrayContaining(['gru hs', 'gru dwx', 'gru db']));
  });
});
