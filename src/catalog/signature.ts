/**
 * A backend's failures as a signature, and the catalog entries it matches: each failing quantity of the
 * check suite and when it fails ('T>1', 'every case', …). A match names a likely cause, a hint where to
 * look; several bugs can read the same (no carry through time, and a backward loop run forwards, both
 * fail every gradient only when T>1), and a bug outside the catalog can read like one inside it.
 */
import type { CheckRow } from '../check/suite.js';
import type { Cell } from '../core/kinds.js';
import { CATALOG, cellOf } from './index.js';

/** When a failed row fails, in the words of a catalog signature. */
export function conditionOf(row: Pick<CheckRow, 'failsWhen' | 'failsEverywhere'>): string {
  if (row.failsEverywhere === true) return 'every case';
  return row.failsWhen !== undefined && row.failsWhen.length > 0 ? row.failsWhen.join(' and ') : 'some cases';
}

/**
 * The signature of one backend's rows of the suite: failing quantity -> when (rows without failsWhen are not the
 * suite's).
 */
export function signatureOf(rows: readonly CheckRow[]): Record<string, string> {
  return Object.fromEntries(
    rows.filter((r) => r.status === 'fail' && r.failsWhen !== undefined).map((r) => [r.quantity, conditionOf(r)]),
  );
}

/**
 * The catalog entries whose signature, on the quantities this backend was compared on, is exactly the
 * backend's: `checked` are those quantities (a backend that returns only dwx, dwh and db is matched on
 * those three), and `cell` the cell the rows checked.
 */
export function likelyCauses(
  rows: readonly CheckRow[],
  checked: readonly string[],
  cell: Cell = 'rnn',
): { name: string; description: string }[] {
  const mine = signatureOf(rows);
  const keys = Object.keys(mine);
  if (keys.length === 0) return [];
  return CATALOG.filter((e) => {
    if (cellOf(e) !== cell) return false;
    const theirs = Object.entries(e.signature).filter(([q]) => checked.includes(q));
    return theirs.length === keys.length && theirs.every(([q, when]) => mine[q] === when);
  }).map((e) => ({ name: e.name, description: e.description }));
}
