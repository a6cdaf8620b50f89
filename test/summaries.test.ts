import { describe, expect, it } from 'vitest';
import { checkMarkdown } from '../src/report/summaries.js';
import { printCheck } from '../src/cli/check.js';
import type { CheckReport } from '../src/run/check-plan.js';

describe('check.md', () => {
  it("should show a row with nothing compared as '–', also when read back from JSON (NaN is null there)", () => {
    const report = {
      ok: true,
      cases: [],
      plan: [],
      rows: [
        {
          backend: 'gpujs-cpu',
          quantity: 'lstm',
          maxError: Number.NaN,
          tolerance: Number.NaN,
          worstRatio: Number.NaN,
          worstCase: 'lstm not supported (declares cells: rnn)',
          status: 'not supported',
          ok: false,
        },
      ],
      capabilities: {},
      oracleSkipped: [],
      unavailable: [],
      renderers: {},
      warnings: [],
      likelyCauses: {},
    } as unknown as CheckReport;
    const line = '| gpujs-cpu | lstm | – | lstm not supported (declares cells: rnn) |  | not supported |';
    expect(checkMarkdown(report)).toContain(line);
    expect(checkMarkdown(JSON.parse(JSON.stringify(report)) as CheckReport)).toContain(line);
    // And the terminal's table: '-', not 'null'.
    const out: string[] = [];
    printCheck({ out: (l) => out.push(l), err: () => {} }, JSON.parse(JSON.stringify(report)) as CheckReport);
    const row = out.find((l) => l.startsWith('gpujs-cpu'));
    expect(row).toMatch(/^gpujs-cpu\s+lstm\s+-\s+-\s+-\s+lstm not supported/);
    expect(row).not.toContain('null');
  });
});
