/**
 * history.html: one chart per shape and op, time per call over the runs on a log scale, one line per
 * backend; a result slower than the run before by more than the noise (bench --compare's rule) is a red
 * ring, a faster one a green ring. Self-contained like bench.html: inline SVG, no script, nothing fetched.
 */
import type { BenchHistory, HistorySeries } from '../run/history.js';
import { changePct, formatMs } from './format.js';
import { CSS } from './html.js';
import { escapeXml, PALETTE } from './svg.js';

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Ticks at 1, 2 and 5 times a power of ten within [10^lo, 10^hi]; only the powers when that is too many. */
function logTicks(lo: number, hi: number): number[] {
  const within = (ms: number[]) =>
    ms
      .flatMap((m) =>
        Array.from({ length: Math.ceil(hi) - Math.floor(lo) + 1 }, (_, i) => m * 10 ** (Math.floor(lo) + i)),
      )
      .filter((v) => Math.log10(v) >= lo && Math.log10(v) <= hi)
      .sort((a, b) => a - b);
  const fine = within([1, 2, 5]);
  if (fine.length > 8) return within([1]);
  return fine.length >= 2 ? fine : within([1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]);
}

function trendChart(id: string, title: string, series: HistorySeries[], runs: BenchHistory['runs']): string {
  const W = 600,
    H = 220,
    L = 70,
    TOP = 20,
    BOTTOM = 40;
  const legendRows = Math.ceil(series.length / 3);
  const top = TOP + legendRows * 18;
  const all = series.flatMap((s) => s.points.map((p) => p.meanMs));
  let lo = Math.log10(Math.min(...all)),
    hi = Math.log10(Math.max(...all));
  if (hi - lo < 0.1) [lo, hi] = [lo - 0.05, hi + 0.05];
  const pad = (hi - lo) * 0.08;
  [lo, hi] = [lo - pad, hi + pad];
  const n = runs.length;
  const x = (i: number) => r1(L + (n === 1 ? W / 2 : (i / (n - 1)) * W));
  const y = (ms: number) => r1(top + (1 - (Math.log10(ms) - lo) / (hi - lo)) * H);
  const out = [
    `<svg class="chart" id="${escapeXml(id)}" data-chart="${escapeXml(id)}" xmlns="http://www.w3.org/2000/svg" width="${L + W + 40}" height="${top + H + BOTTOM}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  series.forEach((s, i) => {
    const lx = L + (i % 3) * 200,
      ly = 6 + Math.floor(i / 3) * 18;
    out.push(
      `<rect x="${lx}" y="${ly}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${lx + 14}" y="${ly + 9}" class="legend">${escapeXml(s.backend)}</text>`,
    );
  });
  for (const v of logTicks(lo, hi)) {
    out.push(
      `<line x1="${L}" y1="${y(v)}" x2="${L + W}" y2="${y(v)}" class="grid"/><text x="${L - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${escapeXml(formatMs(v))}</text>`,
    );
  }
  runs.forEach((r, i) =>
    out.push(`<text x="${x(i)}" y="${top + H + 16}" class="tick" text-anchor="middle">${i + 1}</text>`),
  );
  out.push(
    `<text x="${L + W / 2}" y="${top + H + 34}" class="tick" text-anchor="middle">run (oldest first; see the table of runs)</text>`,
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    out.push(
      `<polyline class="line" data-series="${escapeXml(s.backend)}" points="${s.points.map((p) => `${x(p.run)},${y(p.meanMs)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    for (const p of s.points) {
      const change =
        p.ratio === undefined
          ? ''
          : `, ${changePct(p.ratio)} against run ${p.run} (${changePct(p.net ?? p.ratio)} net of the machine's drift; threshold ${p.thresholdPct?.toFixed(0)} %)`;
      const tip = `${s.backend} ${s.shape} ${s.op}, run ${p.run + 1} (${runs[p.run]?.label}): ${formatMs(p.meanMs)} ±${p.rme.toFixed(1)}%${change}${p.verdict && p.verdict !== 'same' ? `: ${p.verdict}` : ''}`;
      const mark = p.verdict === 'regression' || p.verdict === 'improvement' ? ` data-verdict="${p.verdict}"` : '';
      out.push(
        `<circle class="point${mark ? ` ${p.verdict}` : ''}"${mark} data-series="${escapeXml(s.backend)}" data-run="${p.run}" cx="${x(p.run)}" cy="${y(p.meanMs)}" r="${mark ? 6 : 3}" fill="${mark ? 'none' : color}" stroke="${p.verdict === 'regression' ? '#d62728' : p.verdict === 'improvement' ? '#2ca02c' : color}" stroke-width="${mark ? 3 : 1}"><title>${escapeXml(tip)}</title></circle>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

export function historyHtml(h: BenchHistory): string {
  const groups = new Map<string, HistorySeries[]>();
  for (const s of h.series) {
    const k = `${s.shape} ${s.op}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const regressions = h.series.flatMap((s) =>
    s.points.filter((p) => p.verdict === 'regression').map((p) => ({ s, p })),
  );
  const parts = [
    '<h1>rnn-harness history</h1>',
    `<p>${h.runs.length} bench runs, oldest first. A red ring is a result slower than the same backend, shape and op in the run before by more than both runs' noise (√(rme₁² + rme₂²) plus the larger spread of rounds) and by at least ${h.minChangePct} %: what <code>bench --compare</code> calls a regression. A green ring is an improvement by the same rule.</p>`,
    regressions.length === 0
      ? '<p class="ok">No regressions.</p>'
      : `<h2>Regressions</h2><ul>${regressions.map(({ s, p }) => `<li class="regression">${escapeXml(`${s.backend} ${s.shape} ${s.op}: run ${p.run + 1} (${h.runs[p.run]?.label}) ${formatMs(p.meanMs)}, ${(((p.ratio ?? 1) - 1) * 100).toFixed(1)}% slower than run ${p.run} (threshold ${p.thresholdPct?.toFixed(1)}%)`)}</li>`).join('')}</ul>`,
  ];
  for (const [k, series] of groups) {
    parts.push(
      `<h2>${escapeXml(k)}</h2>`,
      trendChart(`trend-${k.replace(/[^A-Za-z0-9]+/g, '-')}`, `time per call, ${k}, log scale`, series, h.runs),
    );
  }
  parts.push(
    '<h2>Runs</h2>',
    `<table><tr><th>run</th><th>label</th><th>date</th><th>CPU</th><th>node</th></tr>${h.runs.map((r, i) => `<tr><td>${i + 1}</td><td>${escapeXml(r.label)}</td><td>${escapeXml(r.date)}</td><td>${escapeXml(r.cpu)}</td><td>${escapeXml(r.node)}</td></tr>`).join('')}</table>`,
  );
  if (h.ignored.length > 0) parts.push(`<p>Not bench results, left out: ${h.ignored.map(escapeXml).join(', ')}</p>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnn-harness history</title><style>${CSS}
circle.regression{stroke:#d62728}circle.improvement{stroke:#2ca02c}li.regression{color:#b00}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
