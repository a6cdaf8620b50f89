/**
 * Horizontal bar charts as inline SVG, with no script and nothing fetched, so a report opens offline.
 * Each bar is a `rect.bar` carrying data-series, data-group and data-value, with a <title> tooltip.
 */

export type Bar = { group: string; series: string; value: number; label: string };
export type ChartSpec = {
  id: string;
  title: string;
  bars: Bar[];
  series: string[];
  scale: 'log' | 'linear';
  /** Axis tick labels for a value. */
  tick: (v: number) => string;
  /** A vertical reference line (e.g. 1x for speedups). */
  reference?: { value: number; label: string };
};

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const PLOT = 560,
  BAR = 14,
  GAP = 2,
  GROUP_GAP = 14,
  AXIS = 26,
  LEGEND_ROW = 18;
/** A generous width for text in the chart's font (system-ui 12px; 11px for values): labels are never cut. */
const textWidth = (s: string, px = 12) => Math.ceil(s.length * px * 0.62);
const r1 = (v: number) => Math.round(v * 10) / 10;

type Scale = { at: (v: number) => number; ticks: number[] };

function logScale(values: number[], reference?: number): Scale {
  const all = reference === undefined ? values : [...values, reference];
  const lo = Math.floor(Math.log10(Math.min(...all)) - 0.05);
  const hi = Math.ceil(Math.log10(Math.max(...all)) + 0.05);
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  return { at: (v) => ((Math.log10(v) - lo) / (hi - lo)) * PLOT, ticks };
}

function linearScale(values: number[], reference?: number): Scale {
  const max = Math.max(...values, reference ?? 0) * 1.1;
  const step = 10 ** Math.floor(Math.log10(max / 2));
  const unit = max / step > 10 ? step * 2 : step;
  const ticks = Array.from({ length: Math.floor(max / unit) + 1 }, (_, i) => i * unit);
  return { at: (v) => (v / max) * PLOT, ticks };
}

/** One chart: groups down the side, one bar per series in each group, a legend on top. */
export function barChart(spec: ChartSpec): string {
  const groups = [...new Set(spec.bars.map((b) => b.group))];
  const values = spec.bars.map((b) => b.value).filter((v) => v > 0 && Number.isFinite(v));
  if (groups.length === 0 || values.length === 0)
    return `<p class="empty">${escapeXml(spec.title)}: nothing to draw.</p>`;
  const scale =
    spec.scale === 'log' ? logScale(values, spec.reference?.value) : linearScale(values, spec.reference?.value);
  const groupHeight = (g: string) => spec.bars.filter((b) => b.group === g).length * (BAR + GAP);
  const plotHeight = groups.reduce((h, g) => h + groupHeight(g) + GROUP_GAP, 0);
  // Colours follow spec.series, so a backend keeps its colour across charts; the legend lists those drawn.
  const colorOf = (series: string) => PALETTE[Math.max(0, spec.series.indexOf(series)) % PALETTE.length];
  const legend = spec.series.filter((s) => spec.bars.some((b) => b.series === s));
  // Margins from the longest labels, so that group names on the left and values on the right show whole.
  const LEFT = Math.max(80, 16 + Math.max(...groups.map((g) => textWidth(g))));
  const RIGHT = Math.max(60, 12 + Math.max(...spec.bars.map((b) => textWidth(b.label, 11))));
  const width = LEFT + PLOT + RIGHT;
  // The legend flows in rows across the chart's width.
  const items: { s: string; x: number; row: number }[] = [];
  let lx = LEFT;
  let row = 0;
  for (const s of legend) {
    const w = 14 + textWidth(s) + 16;
    if (lx + w > width - 4 && lx > LEFT) [lx, row] = [LEFT, row + 1];
    items.push({ s, x: lx, row });
    lx += w;
  }
  const TOP = 10 + (row + 1) * LEGEND_ROW;
  const height = TOP + plotHeight + AXIS;
  const out: string[] = [
    `<svg class="chart" id="${escapeXml(spec.id)}" data-chart="${escapeXml(spec.id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
  ];
  for (const { s, x, row: r } of items) {
    const y = 6 + r * LEGEND_ROW;
    out.push(
      `<rect x="${x}" y="${y}" width="10" height="10" fill="${colorOf(s)}"/><text x="${x + 14}" y="${y + 9}" class="legend">${escapeXml(s)}</text>`,
    );
  }
  for (const t of scale.ticks) {
    const x = r1(LEFT + scale.at(t));
    out.push(
      `<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${TOP + plotHeight}" class="grid"/><text x="${x}" y="${TOP + plotHeight + 16}" class="tick" text-anchor="middle">${escapeXml(spec.tick(t))}</text>`,
    );
  }
  let y = TOP;
  for (const g of groups) {
    out.push(
      `<text x="${LEFT - 8}" y="${y + groupHeight(g) / 2 + 4}" class="group" text-anchor="end">${escapeXml(g)}</text>`,
    );
    for (const b of spec.bars.filter((bar) => bar.group === g)) {
      const color = colorOf(b.series);
      const w = b.value > 0 && Number.isFinite(b.value) ? r1(Math.max(1, scale.at(b.value))) : 0;
      out.push(
        `<rect class="bar" x="${LEFT}" y="${y}" width="${w}" height="${BAR}" fill="${color}" data-series="${escapeXml(b.series)}" data-group="${escapeXml(g)}" data-value="${b.value}">` +
          `<title>${escapeXml(`${b.series} ${g}: ${b.label}`)}</title></rect>` +
          `<text x="${r1(LEFT + w + 4)}" y="${y + BAR - 3}" class="value">${escapeXml(b.label)}</text>`,
      );
      y += BAR + GAP;
    }
    y += GROUP_GAP;
  }
  if (spec.reference !== undefined) {
    const x = r1(LEFT + scale.at(spec.reference.value));
    out.push(
      `<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${TOP + plotHeight}" class="reference"/><text x="${x + 3}" y="${TOP + plotHeight - 3}" class="reference-label">${escapeXml(spec.reference.label)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

export type LineSeries = { name: string; values: number[] };
export type LineSpec = { id: string; title: string; series: LineSeries[]; xLabel: string; tick: (v: number) => string };

/** A line chart of series over 1 … n (e.g. epochs), with a linear y axis from the data's range. */
export function lineChart(spec: LineSpec): string {
  const all = spec.series.flatMap((s) => s.values).filter(Number.isFinite);
  const n = Math.max(0, ...spec.series.map((s) => s.values.length));
  if (all.length === 0 || n === 0) return `<p class="empty">${escapeXml(spec.title)}: nothing to draw.</p>`;
  const W = 560,
    H = 220,
    L = 60,
    TOP = 30,
    BOTTOM = 36;
  let lo = Math.min(...all),
    hi = Math.max(...all);
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  [lo, hi] = [lo - pad, hi + pad];
  const x = (i: number) => r1(L + (n === 1 ? W / 2 : (i / (n - 1)) * W));
  const y = (v: number) => r1(TOP + (1 - (v - lo) / (hi - lo)) * H);
  const out = [
    `<svg class="chart" id="${escapeXml(spec.id)}" data-chart="${escapeXml(spec.id)}" xmlns="http://www.w3.org/2000/svg" width="${L + W + 40}" height="${TOP + H + BOTTOM}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
  ];
  spec.series.forEach((s, i) => {
    const lx = L + i * 140;
    out.push(
      `<rect x="${lx}" y="6" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${lx + 14}" y="15" class="legend">${escapeXml(s.name)}</text>`,
    );
  });
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    out.push(
      `<line x1="${L}" y1="${y(v)}" x2="${L + W}" y2="${y(v)}" class="grid"/><text x="${L - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${escapeXml(spec.tick(v))}</text>`,
    );
  }
  for (let i = 0; i < n; i++)
    out.push(`<text x="${x(i)}" y="${TOP + H + 16}" class="tick" text-anchor="middle">${i + 1}</text>`);
  out.push(
    `<text x="${L + W / 2}" y="${TOP + H + 32}" class="tick" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.values.map((v, j) => `${x(j)},${y(v)}`).join(' ');
    out.push(
      `<polyline class="line" data-series="${escapeXml(s.name)}" points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    s.values.forEach((v, j) =>
      out.push(
        `<circle class="point" cx="${x(j)}" cy="${y(v)}" r="3" fill="${color}"><title>${escapeXml(`${s.name}, ${spec.xLabel} ${j + 1}: ${spec.tick(v)}`)}</title></circle>`,
      ),
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
