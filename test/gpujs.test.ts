/**
 * What is particular to the gpu.js backends: mode selection, the engine really used, a tanh that does not
 * overflow, the X display of headless-gl, and the GL renderer string. Agreement with loops is the
 * conformance suite's job (properties/conformance.property.test.ts runs every mode).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GPUJS_MODES, GpujsBackend, unavailableReason, type GpujsMode } from '../src/backends/gpujs.js';

const required = new Set((process.env.RNN_HARNESS_REQUIRE ?? '').split(',').map((s) => s.trim()));

/**
 * Skips the test, saying why, when the mode cannot run here (a missing native package, no X server);
 * fails it instead when RNN_HARNESS_REQUIRE names the mode, as CI does for headlessgl.
 */
async function needs(mode: GpujsMode, ctx: { skip: (note?: string) => void }): Promise<void> {
  const reason = await unavailableReason(mode);
  if (reason === undefined) return;
  if (required.has(`gpujs-${mode}`))
    throw new Error(`gpujs-${mode} is required here (RNN_HARNESS_REQUIRE) but cannot run: ${reason}`);
  ctx.skip(`gpujs-${mode} cannot run here: ${reason}`);
}
import { stableTanh } from '../src/backends/gpujs-kernels.js';
import { checkAgreement } from '../src/check/properties.js';
import { seededRng, uniformTensor } from '../src/core/random.js';
import { scaledCase } from '../src/check/scaled-case.js';
import type { Tensor } from '../src/core/tensor.js';
import { createBackend, listBackends, tensor, toleranceFor } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('stableTanh (the tanh inside the kernels)', () => {
  it('should match Math.tanh and stay finite up to |a| = 1e4', () => {
    for (const a of [-1e4, -700, -60, -44.5, -3, -0.5, 0, 1e-8, 0.5, 3, 44.5, 60, 700, 1e4]) {
      expect(Math.abs(stableTanh(a) - Math.tanh(a))).toBeLessThanOrEqual(2e-16);
    }
  });
});

describe('createBackend("gpujs", { mode })', () => {
  it('should pick the mode and refuse an unknown one, listing the modes', async () => {
    const b = await createBackend('gpujs', { mode: 'cpu' });
    expect(b.name).toBe('gpujs-cpu');
    await b.dispose();
    await expect(createBackend('gpujs', { mode: 'webgl' })).rejects.toThrow(
      "createBackend: options.mode must be one of 'headlessgl', 'webasm', 'cpu'; got \"webgl\"",
    );
  });

  it('should list every mode with its availability and, when unavailable, the reason', async () => {
    const listed = (await listBackends()).filter((b) => b.name.startsWith('gpujs-'));
    expect(listed.map((b) => b.name)).toEqual(GPUJS_MODES.map((m) => `gpujs-${m}`));
    for (const b of listed) {
      expect(b.precision).toBe('float32');
      if (!b.available) expect(b.reason).toMatch(/Fix: /);
    }
  });
});

describe.each(GPUJS_MODES.map((mode) => ({ mode })))('gpujs-$mode', ({ mode }) => {
  it('should run on its own engine, or say why it cannot', async (ctx) => {
    const reason = await unavailableReason(mode);
    if (reason !== undefined) {
      // Only headless-gl can be missing (its native package or an X server); CI installs both.
      expect(mode).toBe('headlessgl');
      expect(reason).toMatch(/gl|X display|Xvfb/);
      await needs(mode, ctx);
    }
    const b = await GpujsBackend.create({ mode });
    try {
      // forward/backward throw when gpu.js silently ran another engine (see assertEngine).
      const rng = seededRng(7);
      const [B, T, F, H] = [3, 4, 2, 5];
      const p = {
        wx: uniformTensor(rng, [F, H]),
        wh: uniformTensor(rng, [H, H]),
        b: tensor(
          [H],
          Array.from({ length: H }, (_, j) => (j % 2 ? 1 : -1) * 10 ** (j % 5)),
        ),
      };
      p.b.data[0] = 1e4;
      p.b.data[1] = -1e4;
      const x = uniformTensor(rng, [B, T, F]);
      const hs = await b.forward(p, x);
      const g = await b.backward(p, x, hs, uniformTensor(rng, [B, T, H]));
      for (const t of [hs, g.wx, g.wh, g.b, g.x, g.h0]) expect(t.data.every(Number.isFinite)).toBe(true);
      // The saturated units are exactly ±1 and pass no gradient to their bias.
      expect([hs.data[0], hs.data[1]]).toEqual([1, -1]);
      expect(Math.abs(g.b.data[0] as number)).toBeLessThanOrEqual(toleranceFor('float32', { T, F, H }).atol);
      if (mode === 'headlessgl') {
        expect(b.renderer).toMatch(/via headless-gl/);
        expect(b.renderer).not.toMatch(/^unknown/);
      } else {
        expect(b.renderer).toBeUndefined();
      }
    } finally {
      await b.dispose();
    }
  });
});

describe.each(GPUJS_MODES.map((mode) => ({ mode })))('gpujs-$mode over many shapes', ({ mode }) => {
  it('should compile nothing new and keep no texture per shape: what it holds stays bounded', async (ctx) => {
    await needs(mode, ctx);
    const b = await GpujsBackend.create({ mode });
    try {
      const rng = seededRng(11);
      const call = async (B: number, T: number, F: number, H: number, activation: 'tanh' | 'relu') => {
        const p = { wx: uniformTensor(rng, [F, H]), wh: uniformTensor(rng, [H, H]), b: uniformTensor(rng, [H]) };
        const x = uniformTensor(rng, [B, T, F]);
        const hs = await b.forward(p, x, { activation });
        await b.backward(p, x, hs, uniformTensor(rng, [B, T, H]), { activation });
      };
      await call(2, 3, 2, 3, 'tanh');
      await call(3, 2, 4, 2, 'relu');
      const first = b.footprint;
      for (let i = 0; i < 60; i++)
        await call(1 + (i % 7), 1 + ((i * 5) % 9), 1 + ((i * 3) % 8), 1 + ((i * 7) % 9), i % 2 ? 'tanh' : 'relu');
      // One compiled set of kernels per activation; every texture a call makes is deleted by the end of it.
      expect(b.footprint).toEqual(first);
      expect(first.kernels).toBe(18);
    } finally {
      await b.dispose();
    }
  });
});

describe.each(GPUJS_MODES.map((mode) => ({ mode })))('gpujs-$mode after a failed call', ({ mode }) => {
  it('should compile its kernels afresh, so that the next call is right', async (ctx) => {
    await needs(mode, ctx);
    const b = await GpujsBackend.create({ mode });
    const loops = await createBackend('loops');
    try {
      const c = scaledCase({ B: 3, T: 4, F: 2, H: 5 }, 'tanh', 12);
      const o = { activation: 'tanh' as const, h0: c.h0 as Tensor };
      await b.forward(c.params, c.x, o);
      // A kernel that fails mid-call, as one did on a texture larger than the GL allows.
      const kernels = (b as unknown as { kernels: Map<string, { step: unknown }> }).kernels;
      (kernels.get('tanh') as { step: unknown }).step = Object.assign(
        () => {
          throw new Error('injected');
        },
        { destroy: () => {}, setOutput: () => {} },
      );
      await expect(b.forward(c.params, c.x, o)).rejects.toThrow('injected');
      await checkAgreement(b, loops, c);
    } finally {
      await b.dispose();
      await loops.dispose();
    }
  });
});

describe.each(GPUJS_MODES.map((mode) => ({ mode })))('gpujs-$mode on the gated cells', ({ mode }) => {
  it('should agree with loops on the LSTM and both GRUs, with c0 and bh summed over batch chunks', async (ctx) => {
    await needs(mode, ctx);
    const b = await GpujsBackend.create({ mode });
    const loops = await createBackend('loops');
    try {
      expect(b.cells).toEqual(['rnn', 'lstm', 'gru']);
      const cases = [
        scaledCase({ B: 3, T: 4, F: 2, H: 5 }, 'tanh', 21, { cell: 'lstm' }),
        scaledCase({ B: 2, T: 3, F: 3, H: 4 }, 'tanh', 22, { cell: 'gru' }),
        scaledCase({ B: 2, T: 3, F: 3, H: 4 }, 'tanh', 23, { cell: 'gru', resetAfter: false }),
      ];
      for (const c of cases) await checkAgreement(b, loops, c);
      // Two samples per chunk: dc0 and x are joined across the chunks, dwx, dwh, db and dbh summed.
      (b as unknown as { maxRows: number }).maxRows = 2 * 4;
      for (const c of cases) await checkAgreement(b, loops, c);
    } finally {
      await b.dispose();
      await loops.dispose();
    }
  });

  it("should refuse 4·H beyond a kernel's loop bound, naming it", async (ctx) => {
    await needs(mode, ctx);
    const b = await GpujsBackend.create({ mode });
    try {
      const c = scaledCase({ B: 1, T: 1, F: 1, H: 1025 }, 'tanh', 24, { cell: 'lstm' });
      await expect(b.forward(c.params, c.x, { cell: 'lstm' })).rejects.toThrow(
        /gpujs-\w+: F and 4·H must be at most 4096 \(a kernel's loop bound\); got 4100/,
      );
    } finally {
      await b.dispose();
    }
  });
});

describe('gpujs-headlessgl at more rows than its largest texture', () => {
  it('should split the batch and agree with loops', async (ctx) => {
    await needs('headlessgl', ctx);
    const b = await GpujsBackend.create({ mode: 'headlessgl' });
    const loops = await createBackend('loops');
    try {
      const max = (b as unknown as { maxRows: number }).maxRows;
      expect(max).toBeGreaterThanOrEqual(4096);
      // B·T one row more than two textures' worth: three chunks, the last of one sample.
      const T = 2;
      await checkAgreement(b, loops, scaledCase({ B: max + 1, T, F: 2, H: 3 }, 'tanh', 13));
    } finally {
      await b.dispose();
      await loops.dispose();
    }
  }, 120_000);
});

describe('gpujs-headlessgl without DISPLAY', () => {
  it('should start its own Xvfb in a plain node process, which then exits by itself', async (ctx) => {
    await needs('headlessgl', ctx);
    const script = `
      const { createBackend } = await import(${JSON.stringify(`${root}dist/src/index.js`)});
      const b = await createBackend('gpujs', { mode: 'headlessgl' });
      const hs = await b.forward({ wx: { shape: [1, 1], data: Float64Array.of(1) }, wh: { shape: [1, 1], data: Float64Array.of(0) }, b: { shape: [1], data: Float64Array.of(0) } },
        { shape: [1, 1, 1], data: Float64Array.of(0.5) });
      console.log(process.env.DISPLAY, hs.data[0].toFixed(6), b.renderer);
      await b.dispose();`;
    const env = { ...process.env };
    delete env.DISPLAY;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [display, h, ...renderer] = r.stdout.trim().split(' ');
    expect(display).toMatch(/^:\d+$/);
    expect(h).toBe(Math.tanh(0.5).toFixed(6));
    expect(renderer.join(' ')).toMatch(/via headless-gl/);
    // Xvfb was started with -terminate: it goes when the process's X connection does, and removes its lock.
    const lock = `/tmp/.X${display!.slice(1)}-lock`;
    for (let i = 0; i < 50 && existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(lock)).toBe(false);
  });
});
