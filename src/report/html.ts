/**
 * bench.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) with, for each op,
 * the time per call of every backend at every shape (log scale) and the speedup over loops, then the
 * machine limit, the comparison with a baseline when there is one, and the full table.
 */
import { barChart, escapeXml } from './svg.js';
import {
  baselineOf,
  COMPARE_HEADER,
  compareCells,
  compareRule,
  formatMs,
  inProcessNote,
  notTimed,
  percent,
  shapeName,
  type BenchReport,
} from './format.js';

export const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:880px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.chart text{font:12px system-ui,sans-serif;fill:#222}.chart .tick{fill:#666;font-size:11px}.chart .value{font-size:11px}
.chart .grid{stroke:#e4e4e4}.chart .reference{stroke:#c00;stroke-dasharray:4 3}.chart .reference-label{fill:#c00;font-size:11px}
.regression{color:#c00;font-weight:bold}.improvement{color:#070}.env td{text-align:left}`;

function table(head: string[], rows: string[][]): string {
  const cells = (tag: string, r: string[]) => `<tr>${r.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table>${cells('th', head)}${rows.map((r) => cells('td', r)).join('')}</table>`;
}

export function benchHtml(report: BenchReport): string {
  const env = report.environment;
  // A backend in another process gets a second bar: its own time, without the pipe.
  const own = (b: string) => `${b} (in its process)`;
  const series = [
    ...new Set(
      report.results.flatMap((r) => (r.inProcessMs === undefined ? [r.backend] : [r.backend, own(r.backend)])),
    ),
  ];
  const parts: string[] = [
    `<h1>rnn-harness bench</h1>`,
    `<p>${escapeXml(env.date)}. Node ${escapeXml(env.node)}, ${escapeXml(env.cpu)}, ${env.cores} cores; ${env.rounds} interleaved round${env.rounds === 1 ? '' : 's'} ` +
      `per shape and op, best round kept; benchmark.js maxTime ${env.maxTimeS} s. Shapes are BxTxFxH. Speedups are ratios measured in this run.</p>`,
  ];
  for (const [name, renderer] of Object.entries(env.renderers ?? {}))
    parts.push(`<p>GL renderer of ${escapeXml(name)}: <b>${escapeXml(renderer)}</b></p>`);
  for (const [name, engine] of Object.entries(env.engines ?? {}))
    parts.push(`<p>Engine of ${escapeXml(name)}: <b>${escapeXml(engine)}</b></p>`);
  if (report.results.some((r) => r.inProcessMs !== undefined)) {
    parts.push(
      '<p>A backend in another process is timed twice: end to end (what a caller pays, the pipe included) and by itself in its own process; the difference is the pipe.</p>',
    );
  }
  for (const op of ['forward', 'train'] as const) {
    const rows = report.results.filter((r) => r.op === op);
    if (rows.length === 0) continue;
    parts.push(
      `<h2>${op}: time per call</h2>`,
      barChart({
        id: `time-${op}`,
        title: `${op}: time per call (log scale, shorter is faster)`,
        series,
        scale: 'log',
        tick: formatMs,
        bars: rows.flatMap((r) => [
          {
            group: shapeName(r.shape),
            series: r.backend,
            value: r.meanMs,
            label: `${formatMs(r.meanMs)} ±${r.rme.toFixed(1)}%`,
          },
          ...(r.inProcessMs === undefined
            ? []
            : [
                {
                  group: shapeName(r.shape),
                  series: own(r.backend),
                  value: r.inProcessMs,
                  label: `${formatMs(r.inProcessMs)} in its process`,
                },
              ]),
        ]),
      }),
    );
    const speedups = rows.flatMap((r) => {
      const base = baselineOf(report, r);
      return base === undefined || r.backend === 'loops'
        ? []
        : [
            {
              group: shapeName(r.shape),
              series: r.backend,
              value: base.meanMs / r.meanMs,
              label: `${(base.meanMs / r.meanMs).toFixed(2)}x`,
            },
          ];
    });
    if (speedups.length > 0) {
      parts.push(
        `<h2>${op}: speedup over loops</h2>`,
        barChart({
          id: `speedup-${op}`,
          title: `${op}: speedup over loops (longer is faster; the red line is loops)`,
          series,
          scale: 'linear',
          tick: (v) => `${Number(v.toPrecision(3))}x`,
          reference: { value: 1, label: 'loops' },
          bars: speedups,
        }),
      );
    }
  }
  if (report.limit !== undefined) {
    const limit = report.limit;
    parts.push(
      `<h2>Machine limit: ${limit.gflops.toFixed(2)} GFLOP/s</h2>`,
      `<p>The fastest ${limit.n}×${limit.n} matrix product any engine reached in this run (${escapeXml(limit.engine)}). A backend's fraction of it is in the table below.</p>`,
      barChart({
        id: 'machine-limit',
        title: `${limit.n}x${limit.n} matrix product, GFLOP/s`,
        series: ['matMul'],
        scale: 'linear',
        tick: (v) => String(Number(v.toPrecision(3))),
        bars: report.peaks.map((p) => ({
          group: p.engine,
          series: 'matMul',
          value: p.gflops,
          label: `${p.gflops.toFixed(2)} GFLOP/s`,
        })),
      }),
    );
  }
  const cmp = report.comparison;
  if (cmp !== undefined) {
    parts.push(
      `<h2>Compared with ${escapeXml(cmp.baseline)}</h2>`,
      `<p>${escapeXml(compareRule(cmp.minChangePct, cmp.maxStealPct))}</p>`,
      table(
        COMPARE_HEADER,
        cmp.rows.map((r) =>
          compareCells(r, cmp.maxStealPct).map((c, i) =>
            i === 10 ? `<span class="${r.verdict}">${escapeXml(c)}</span>` : escapeXml(c),
          ),
        ),
      ),
    );
  }
  parts.push(
    '<h2>All results</h2>',
    table(
      [
        'backend',
        'shape',
        'op',
        'mean (end to end)',
        '±rme',
        'samples',
        'GFLOP/s',
        'of limit',
        'vs loops',
        'in its process (pipe)',
      ],
      report.results.map((r) => {
        const base = baselineOf(report, r);
        return [
          escapeXml(r.backend),
          shapeName(r.shape),
          r.op,
          formatMs(r.meanMs),
          `${r.rme.toFixed(1)}%`,
          String(r.samples),
          r.gflops.toFixed(2),
          r.fractionOfLimit === undefined ? '–' : percent(r.fractionOfLimit),
          base ? `${(base.meanMs / r.meanMs).toFixed(2)}x` : '–',
          inProcessNote(r) ?? '–',
        ];
      }),
    ),
    ...notTimed(report).flatMap((rows) => [
      '<h2>Not timed</h2>',
      table(
        ['backend', 'shape', 'op', 'why'],
        rows.map((r) => r.map(escapeXml)),
      ),
    ]),
    '<h2>Environment</h2>',
    `<table class="env">${(
      [
        ['date', env.date],
        ['node', env.node],
        env.cell === undefined ? ['activation', env.activation ?? 'tanh'] : ['cell', env.cell],
        ['CPU', `${env.cpu}, ${env.cores} cores`],
        ...Object.entries(env.renderers ?? {}).map(([k, v]) => [`GL renderer (${k})`, v]),
        ...Object.entries(env.packages),
      ] as [string, string][]
    )
      .map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`)
      .join('')}</table>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnn-harness bench</title><style>${CSS}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
