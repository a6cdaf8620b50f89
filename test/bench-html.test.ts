/**
 * bench.html opened in headless Chromium (Debian's chromium driven by playwright-core): the charts must be
 * drawn, one visible bar per result, widths in the order of the values, and the page must fetch nothing.
 * Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium; `.ci/run` and the README's setup install it.
 * Without it this test fails and says how to install it; RNN_HARNESS_NO_BROWSER=1 skips it on purpose.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { benchHtml } from '../src/report/html.js';
import { trainingHtml } from '../src/report/training-html.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const optedOut = process.env.RNN_HARNESS_NO_BROWSER === '1';

type Drawn = {
  chart: string;
  series: string;
  group: string;
  value: number;
  width: number;
  height: number;
  visible: boolean;
};

describe.skipIf(optedOut)('bench.html in headless Chromium', () => {
  let browser: Browser;
  let out: string;
  let json: { results: unknown[]; peaks: unknown[] };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `bench-html.test: no Chromium at ${CHROMIUM}. Install it with 'apt-get install -y chromium' (or set CHROMIUM_PATH), ` +
          'or set RNN_HARNESS_NO_BROWSER=1 to skip this test on purpose',
      );
    }
    out = await mkdtemp(join(tmpdir(), 'rnn-harness-html-'));
    const code = await main(
      [
        'bench',
        '--backends',
        'loops,workers',
        '--shapes',
        '1x3x2x4,4x6x3x5',
        '--rounds',
        '1',
        '--max-time',
        '0.2',
        '--out',
        out,
      ],
      { out: () => {}, err: () => {} },
    );
    expect(code).toBe(0);
    json = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('should draw every chart with one visible bar per result and fetch nothing', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(join(out, 'bench.html')).href;
    await page.goto(url);

    const bars: Drawn[] = await page.$$eval('svg.chart rect.bar', (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return {
          chart: (r.closest('svg') as SVGSVGElement).id,
          series: r.getAttribute('data-series') ?? '',
          group: r.getAttribute('data-group') ?? '',
          value: Number(r.getAttribute('data-value')),
          width: box.width,
          height: box.height,
          visible: getComputedStyle(r).visibility === 'visible',
        };
      }),
    );
    const count = (chart: string) => bars.filter((b) => b.chart === chart).length;
    // Two backends x two shapes per op; speedups leave loops out; one matMul probe (loops').
    expect([
      count('time-forward'),
      count('time-train'),
      count('speedup-forward'),
      count('speedup-train'),
      count('machine-limit'),
    ]).toEqual([4, 4, 2, 2, 1]);
    expect(json.results).toHaveLength(8);
    for (const b of bars) {
      expect(b.visible).toBe(true);
      expect(b.width).toBeGreaterThan(0);
      expect(b.height).toBeGreaterThan(0);
    }
    for (const chart of ['time-forward', 'time-train', 'speedup-forward', 'speedup-train']) {
      const drawn = bars.filter((b) => b.chart === chart).sort((a, b) => a.value - b.value);
      for (let i = 1; i < drawn.length; i++) expect(drawn[i]!.width).toBeGreaterThanOrEqual(drawn[i - 1]!.width);
    }
    expect(await page.locator('h2', { hasText: 'Machine limit' }).isVisible()).toBe(true);
    expect(requests).toEqual([url]);
    await page.screenshot({ path: join(out, 'bench.png'), fullPage: true });
    await page.close();
  });

  it('should show every label of every chart whole, however long the engine and backend names', async () => {
    const report = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    report.peaks = [
      {
        ...report.peaks[0],
        engine: 'gpujs-headlessgl kernel (float32, llvmpipe (LLVM 15.0.6, 256 bits) via headless-gl 8.1.6 (ANGLE))',
      },
      { ...report.peaks[0], engine: 'wasm-f32 SIMD gemm (float32, 1 thread)', gflops: 41.2 },
    ];
    for (const r of report.results)
      if (r.backend === 'workers')
        Object.assign(r, { backend: 'a-backend-with-a-long-name', inProcessMs: r.meanMs / 2 });
    const file = join(out, 'long-labels.html');
    await writeFile(file, benchHtml(report));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const outside = await page.$$eval('svg.chart', (svgs) =>
      svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('text')]
          .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
          .filter(
            ({ r }) =>
              r.left < box.left - 0.5 ||
              r.right > box.right + 0.5 ||
              r.top < box.top - 0.5 ||
              r.bottom > box.bottom + 0.5,
          )
          .map(({ text }) => `${svg.id}: ${text}`);
      }),
    );
    expect(outside).toEqual([]);
    await page.close();
  });

  it('should draw the loss and accuracy curves of train.html', async () => {
    const report = {
      backend: 'loops',
      testAccuracy: 0.9,
      trainLoss: [2, 1, 0.5],
      valLoss: [2.1, 1.2, 0.7],
      valAccuracy: [0.5, 0.8, 0.9],
      seconds: 3,
      config: { nodes: 8 },
    };
    const file = join(out, 'train.html');
    await writeFile(file, trainingHtml(report));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const lines = await page.$$eval('svg.chart polyline.line', (ps) =>
      ps.map((p) => {
        const box = p.getBoundingClientRect();
        return {
          chart: (p.closest('svg') as SVGSVGElement).id,
          points: (p as SVGPolylineElement).points.numberOfItems,
          width: box.width,
          height: box.height,
        };
      }),
    );
    expect(lines.map((l) => [l.chart, l.points])).toEqual([
      ['loss', 3],
      ['loss', 3],
      ['accuracy', 3],
    ]);
    for (const l of lines) expect(l.width).toBeGreaterThan(100);
    // Falling loss: the first point is drawn above the last (SVG y grows downwards).
    const ys = await page.$$eval('svg#loss polyline.line', (ps) =>
      ps.map((p) => [(p as SVGPolylineElement).points.getItem(0).y, (p as SVGPolylineElement).points.getItem(2).y]),
    );
    for (const [first, last] of ys) expect(first!).toBeLessThan(last!);
    await page.close();
  });
});
