import { describe, expect, it } from 'vitest';
import { cpuTimes, stealPctSince } from '../src/bench/steal.js';

describe('steal time', () => {
  it('should read the CPU times on Linux and give a share between 0 and 100 %', async () => {
    const start = cpuTimes();
    if (process.platform !== 'linux') return expect(start).toBeUndefined();
    expect(start?.total).toBeGreaterThan(0);
    expect(start?.steal).toBeGreaterThanOrEqual(0);
    const until = Date.now() + 50;
    while (Date.now() < until); // at least one clock tick of work
    await new Promise((r) => setTimeout(r, 30));
    const pct = stealPctSince(start);
    expect(pct).toBeGreaterThanOrEqual(0);
    expect(pct).toBeLessThanOrEqual(100);
  });

  it('should give nothing without a start', () => {
    expect(stealPctSince(undefined)).toBeUndefined();
  });
});
