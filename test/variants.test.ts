/**
 * Backend variants, NAME@key=value[+key=value…]: one engine with other options, checked or timed beside
 * itself (`bench --backends wasm@threads=1,wasm`).
 */
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../src/backends/wasm.js';
import { main } from '../src/cli/main.js';
import { createBackend, unregisterBackend } from '../src/index.js';
import { getBackendEntry } from '../src/registry/registry.js';
import { registerVariants, variantOf } from '../src/registry/variants.js';

describe('variantOf', () => {
  it('should read the options after the @, as numbers, booleans or strings', () => {
    expect(variantOf('loops')).toBeUndefined();
    expect(variantOf('wasm@threads=1+minParallelWork=0')).toEqual({
      base: 'wasm',
      options: { threads: 1, minParallelWork: 0 },
    });
    expect(variantOf('tfjs-cpu@padSingleStep=false+mode=x')).toEqual({
      base: 'tfjs-cpu',
      options: { padSingleStep: false, mode: 'x' },
    });
  });

  it('should refuse a pair without key=value, quoting it', () => {
    expect(() => variantOf('wasm@threads')).toThrow(
      '--backends wasm@threads: a variant is NAME@key=value[+key=value…]; got "threads" after the @',
    );
    expect(() => variantOf('wasm@=2')).toThrow('got "=2" after the @');
  });
});

describe('registerVariants', () => {
  it('should register a backend created with the options, and keep them in its checkOptions', async () => {
    registerVariants(['loops', 'wasm@threads=1']);
    try {
      const entry = getBackendEntry('wasm@threads=1');
      expect(entry.precision).toBe('float64');
      expect(entry.checkOptions).toEqual({ minParallelWork: 0, threads: 1 });
      const b = await createBackend('wasm@threads=1', { threads: 2 });
      expect(b).toBeInstanceOf(WasmBackend);
      expect((b as WasmBackend).threads).toBe(1);
      await b.dispose();
      registerVariants(['wasm@threads=1']); // a second time is no error
    } finally {
      unregisterBackend('wasm@threads=1');
    }
  });

  it('should refuse a variant of a backend that does not exist, naming the known ones', () => {
    expect(() => registerVariants(['nope@threads=1'])).toThrow(/--backends nope@threads=1.*'loops'/);
  });
});

describe('--backends with a variant', () => {
  it('should run it beside its base, and exit 2 on a malformed one', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    try {
      expect(await main(['demo', '--backends', 'wasm,wasm@threads=1'], io)).toBe(0);
      expect(out.join('\n')).toMatch(/^wasm@threads=1\s+0\.79494228 0\.81839002 0\.83939649 0\.85584174$/m);
      expect(await main(['demo', '--backends', 'wasm@threads'], io)).toBe(2);
      expect(err.join('\n')).toContain('rnn-harness demo: --backends wasm@threads: a variant is NAME@key=value');
    } finally {
      unregisterBackend('wasm@threads=1');
    }
  });
});
