/**
 * rnn-harness history and merge's bench: five bench runs with a slowdown put in on purpose become trends
 * with that regression marked, by the rule of bench --compare, drawn in headless Chromium (as in
 * bench-html.test.ts: Chromium at $CHROMIUM_PATH or /usr/bin/chromium; RNN_HARNESS_NO_BROWSER=1 skips).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const optedOut = process.env.RNN_HARNESS_NO_BROWSER === '1';

/** A bench.json as bench writes it, with the times given: loops and wasm on two shapes, forward only. */
function benchJson(day: number, times: Record<string, number>, cpu = 'Test CPU') {
  const shapes = [
    { B: 32, T: 50, F: 32, H: 128 },
    { B: 8, T: 20, F: 8, H: 16 },
  ];
  return {
    environment: {
      node: 'v20.0.0',
      cpu,
      cores: 2,
      rounds: 2,
      maxTimeS: 1,
      date: `2026-11-${String(day).padStart(2, '0')}T12:00:00.000Z`,
      packages: {},
    },
    results: Object.entries(times).flatMap(([backend, ms]) =>
      shapes.map((shape, i) => ({
        backend,
        shape,
        op: 'forward',
        meanMs: ms / (i + 1),
        rme: 1,
        deviationMs: 0.01,
        samples: 30,
        gflops: 1,
        roundsMs: [ms / (i + 1), (ms / (i + 1)) * 1.01],
        sampleMs: Array.from({ length: 30 }, (_, k) => (ms / (i + 1)) * (1 + ((k % 5) - 2) * 0.002)),
      })),
    ),
    peaks: [],
    failures: [],
  };
}

const run = runCli;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnn-harness-history-'));
  // Day 4: wasm 3x slower on both shapes; day 5 back. loops moves by 1 %, within the noise.
  const days = [
    [10, 2],
    [10.1, 2.02],
    [9.9, 1.98],
    [10, 6],
    [10.05, 2],
  ] as const;
  for (const [i, [loops, wasm]] of days.entries()) {
    await mkdir(join(dir, 'runs', `day-${i + 1}`), { recursive: true });
    await writeFile(join(dir, 'runs', `day-${i + 1}`, 'bench.json'), JSON.stringify(benchJson(i + 1, { loops, wasm })));
  }
  await writeFile(join(dir, 'runs', 'day-1', 'fuzz.json'), JSON.stringify({ runs: 1 }));
});

describe('rnn-harness history', () => {
  it('should find the five runs, in date order, and report the regression of day 4 and nothing else', async () => {
    const r = await run('history', join(dir, 'runs'), '--out', join(dir, 'out'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('5 runs (2026-11-01T12:00:00.000Z … 2026-11-05T12:00:00.000Z), 4 series');
    expect(r.out.split('\n').filter((l) => l.startsWith('regression:'))).toEqual([
      // 6 / 1.98 − 1 = 203 %; with two backends and no probes there is no drift to take out; the noise,
      // √2 % + 1 % spread, is below twice --min-change's 70 % for calls under 5 ms, which is the threshold.
      "regression: wasm 32x50x32x128 forward, run 4 (day-4): 6.00 ms, +203 % against the run before, +203 % net of the machine's drift (threshold 140 %)",
      "regression: wasm 8x20x8x16 forward, run 4 (day-4): 3.00 ms, +203 % against the run before, +203 % net of the machine's drift (threshold 140 %)",
    ]);
    expect(r.out).toContain('left out (not a bench result): day-1/fuzz.json');
    const h = JSON.parse(await readFile(join(dir, 'out', 'history.json'), 'utf8'));
    const wasm = h.series.find(
      (s: { backend: string; shape: string }) => s.backend === 'wasm' && s.shape === '32x50x32x128',
    );
    expect(wasm.points.map((p: { verdict?: string }) => p.verdict ?? 'first')).toEqual([
      'first',
      'same',
      'same',
      'regression',
      'improvement',
    ]);
  });

  it('should exit 1 with --fail-on-regression only when the latest run regressed', async () => {
    expect((await run('history', join(dir, 'runs'), '--out', join(dir, 'out2'), '--fail-on-regression')).code).toBe(0);
    await mkdir(join(dir, 'runs', 'day-6'));
    await writeFile(join(dir, 'runs', 'day-6', 'bench.json'), JSON.stringify(benchJson(6, { loops: 10, wasm: 5 })));
    try {
      expect((await run('history', join(dir, 'runs'), '--out', join(dir, 'out2'), '--fail-on-regression')).code).toBe(
        1,
      );
    } finally {
      await writeFile(join(dir, 'runs', 'day-6', 'bench.json'), '{"not":"bench"}');
    }
  });

  it('should refuse a folder without bench results, and a missing --out, with exit 2', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    const r = await run('history', join(dir, 'empty'), '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'rnn-harness history: no bench results (JSON with environment and results, as bench --json or --out writes) under',
    );
    expect((await run('history', join(dir, 'runs'))).code).toBe(2);
  });
});

describe.skipIf(optedOut)('history.html and a merged bench.html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `history.test: no Chromium at ${CHROMIUM}. Install it with 'apt-get install -y chromium', or set RNN_HARNESS_NO_BROWSER=1`,
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    expect((await run('history', join(dir, 'runs'), '--out', join(dir, 'page'))).code).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('should draw a line of five points per backend in each chart, the regressions as red rings, and fetch nothing', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(join(dir, 'page', 'history.html')).href;
    await page.goto(url);
    const lines = await page.$$eval('svg.chart polyline.line', (ps) =>
      ps.map((p) => ({
        chart: (p.closest('svg') as SVGSVGElement).id,
        series: p.getAttribute('data-series'),
        points: (p as SVGPolylineElement).points.numberOfItems,
        width: p.getBoundingClientRect().width,
      })),
    );
    expect(lines.map((l) => [l.chart, l.series, l.points])).toEqual([
      ['trend-32x50x32x128-forward', 'loops', 5],
      ['trend-32x50x32x128-forward', 'wasm', 5],
      ['trend-8x20x8x16-forward', 'loops', 5],
      ['trend-8x20x8x16-forward', 'wasm', 5],
    ]);
    for (const l of lines) expect(l.width).toBeGreaterThan(300);
    const rings = await page.$$eval('circle[data-verdict]', (cs) =>
      cs.map((c) => ({
        verdict: c.getAttribute('data-verdict'),
        series: c.getAttribute('data-series'),
        run: Number(c.getAttribute('data-run')),
        stroke: getComputedStyle(c).stroke,
        r: c.getBoundingClientRect().width,
      })),
    );
    expect(rings.map((c) => [c.verdict, c.series, c.run])).toEqual([
      ['regression', 'wasm', 3],
      ['improvement', 'wasm', 4],
      ['regression', 'wasm', 3],
      ['improvement', 'wasm', 4],
    ]);
    expect(rings[0]?.stroke).toBe('rgb(214, 39, 40)');
    for (const c of rings) expect(c.r).toBeGreaterThan(8);
    expect(await page.locator('li.regression').count()).toBe(2);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('should show two machines side by side in a merged bench.html, each against its own loops', async () => {
    for (const [m, wasm, cpu] of [
      ['machine-a', 2, 'CPU A'],
      ['machine-b', 5, 'CPU B'],
    ] as const) {
      await mkdir(join(dir, m), { recursive: true });
      await writeFile(join(dir, m, 'bench.json'), JSON.stringify(benchJson(1, { loops: 10, wasm }, cpu)));
    }
    const r = await run('merge', join(dir, 'machine-a'), join(dir, 'machine-b'), '--out', join(dir, 'merged'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('bench.json, bench.md, bench.html (2 machines, 8 results)');
    const merged = JSON.parse(await readFile(join(dir, 'merged', 'bench.json'), 'utf8'));
    expect(
      merged.environment.machines.map((m: { label: string; environment: { cpu: string } }) => [
        m.label,
        m.environment.cpu,
      ]),
    ).toEqual([
      ['machine-a', 'CPU A'],
      ['machine-b', 'CPU B'],
    ]);
    const md = await readFile(join(dir, 'merged', 'bench.md'), 'utf8');
    expect(md).toMatch(/\| wasm @ machine-a \| 32x50x32x128 \| .*\| 5\.00x \|/);
    expect(md).toMatch(/\| wasm @ machine-b \| 32x50x32x128 \| .*\| 2\.00x \|/);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dir, 'merged', 'bench.html')).href);
    const series = await page.$$eval('svg#time-forward rect.bar', (rs) => [
      ...new Set(rs.map((b) => b.getAttribute('data-series'))),
    ]);
    expect(series).toEqual(['loops @ machine-a', 'wasm @ machine-a', 'loops @ machine-b', 'wasm @ machine-b']);
    await page.close();
  });
});
