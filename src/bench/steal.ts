/**
 * Steal time: the CPU time a virtual machine's host gave to other guests while this one wanted it. On a
 * shared host it comes and goes over minutes, and it slows some backends far more than others (a
 * backend on two threads, or in a second process over a pipe, waits on whichever of them lost its CPU),
 * so the drift of the backends timed beside them does not take it out. bench records it, and a change is
 * only confirmed on a measurement the host left alone.
 */
import { readFileSync } from 'node:fs';

/** Above this share of steal during the second measurement, bench --compare judges nothing it flagged. */
export const STEAL_LIMIT_PCT = 5;

/** The machine's CPU times so far, in clock ticks: all of them, and steal. Undefined off Linux. */
export type CpuTimes = { total: number; steal: number };

export function cpuTimes(): CpuTimes | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is counted in user)
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
    if (fields[0] !== 'cpu' || fields.length < 9) return undefined;
    const v = fields.slice(1, 9).map(Number);
    if (v.some((x) => !Number.isFinite(x))) return undefined;
    return { total: v.reduce((a, b) => a + b, 0), steal: v[7] as number };
  } catch {
    return undefined;
  }
}

/** The share of steal, in percent, since `start` (undefined when it cannot be read). */
export function stealPctSince(start: CpuTimes | undefined): number | undefined {
  const now = cpuTimes();
  if (start === undefined || now === undefined || now.total <= start.total) return undefined;
  return (100 * (now.steal - start.steal)) / (now.total - start.total);
}
