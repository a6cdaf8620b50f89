/** bench.md: the benchmark as Markdown tables, fit for a CI job summary. */
import type { BenchResult } from '../bench/runner.js';

export type BenchEnvironment = { node: string; cpu: string; cores: number; rounds: number; maxTimeS: number; packages: Record<string, string> };

const shapeName = (r: BenchResult) => `${r.shape.B}x${r.shape.T}x${r.shape.F}x${r.shape.H}`;

export function benchMarkdown(env: BenchEnvironment, results: BenchResult[]): string {
  const lines = [
    '# rnn-harness bench',
    '',
    `Node ${env.node}, ${env.cpu}, ${env.cores} cores; ${env.rounds} interleaved round${env.rounds === 1 ? '' : 's'} per shape and op, best round kept; ` +
      `benchmark.js maxTime ${env.maxTimeS} s. Shapes are BxTxFxH. Speedups are ratios measured in this run.`,
    '',
  ];
  for (const op of ['forward', 'train'] as const) {
    const rows = results.filter((r) => r.op === op);
    if (rows.length === 0) continue;
    lines.push(`## ${op}`, '', '| backend | shape | mean ms | ±rme | samples | GFLOP/s | vs loops |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      const base = results.find((o) => o.backend === 'loops' && o.op === r.op && shapeName(o) === shapeName(r));
      const speedup = base ? `${(base.meanMs / r.meanMs).toFixed(2)}x` : '–';
      lines.push(`| ${r.backend} | ${shapeName(r)} | ${r.meanMs.toFixed(3)} | ${r.rme.toFixed(1)}% | ${r.samples} | ${r.gflops.toFixed(2)} | ${speedup} |`);
    }
    lines.push('');
  }
  lines.push('Package versions: ' + Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(', '), '');
  return lines.join('\n');
}
