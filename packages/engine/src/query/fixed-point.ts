import { doubleSql } from './sql-values.js';

/** HUGEINT's magnitude limit is 2^127; sums stay below 2^125. */
const HEADROOM_BITS = 125;
/** The finest scale used: 2^-1000 keeps 2^k a finite double. */
const MAX_SHIFT = 1000;

/**
 * How a clamped sum is computed exactly: each term x becomes the integer round(x * 2^shift) (DuckDB HUGEINT), the
 * integers are summed exactly in any order, and the total is scaled back by 2^-shift. `shift` is the largest for which
 * `rows` terms of magnitude at most `bound` cannot overflow a HUGEINT, so each term is rounded to a multiple of
 * 2^-shift (at most 2^-(shift+1) off; integers exactly) and the result is the same whatever the thread count or order.
 * Bounds so large that shift would be negative (|bound| * rows >= 2^125) fall back to a DOUBLE sum (shift undefined).
 */
export function fixedPointShift(bound: number, rows: number): number | undefined {
  const b = Math.abs(bound);
  if (!Number.isFinite(b)) return undefined;
  if (b === 0) return 0;
  const shift = Math.min(
    MAX_SHIFT,
    HEADROOM_BITS - 1 - Math.ceil(Math.log2(Math.max(rows, 1) + 1)) - Math.ceil(Math.log2(b)),
  );
  return shift >= 0 ? shift : undefined;
}

/** The SQL aggregate of a clamped value's sum under `shift` (see fixedPointShift); NULL terms are skipped. */
export function sumSql(value: string, shift: number | undefined): string {
  if (shift === undefined) return `fsum(${value})`;
  if (shift === 0) return `sum(CAST(round(${value}) AS HUGEINT))`;
  return `sum(CAST(round(${value} * ${doubleSql(2 ** shift)}) AS HUGEINT))`;
}

/** A fixed-point total (a HUGEINT read as bigint, or the fallback's double; NULL: no terms) as a number. */
export function fixedPointValue(total: unknown, shift: number | undefined): number {
  if (total === null || total === undefined) return 0;
  if (typeof total === 'bigint') return Number(total) * 2 ** -(shift ?? 0);
  return Number(total);
}
