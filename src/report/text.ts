/** Plain-text building blocks of what the commands print: tables and numbers. */

/** A plain-text table with columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A number in scientific notation with three digits, or Infinity/NaN as words. */
export const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/** Backends that cannot run here, with their reasons. */
export const unavailableLines = (unavailable: readonly { name: string; reason?: string }[]): string[] =>
  unavailable.map((b) => `${b.name}: unavailable: ${b.reason ?? ''}`);
