import { doubleSql } from './sql-values.js';

/** Each term stays below 2^62 in magnitude: a BIGINT, whose sum DuckDB accumulates as a HUGEINT without overflow. */
const TERM_BITS = 62;
/** The finest scale used: 2^-1000 keeps 2^k a finite double. */
const MAX_SHIFT = 1000;

/**
 * How a clamped sum is computed exactly: each term x becomes the integer nearest x * 2^shift (a BIGINT), DuckDB sums
 * the integers exactly in any order (sum(BIGINT) accumulates a HUGEINT), and the total is scaled back by 2^-shift.
 * `shift` is the largest for which a term of magnitude at most `bound` stays below 2^62, so each term is rounded to
 * a multiple of 2^-shift (bound 5000: 2^-48, about 4e-15; integers exactly) and the result is the same whatever the
 * thread count or order. Bounds of 2^61 or more (shift would be negative) fall back to a DOUBLE sum (undefined).
 */
export function fixedPointShift(bound: number): number | undefined {
  const b = Math.abs(bound);
  if (!Number.isFinite(b)) return undefined;
  if (b === 0) return 0;
  const shift = Math.min(MAX_SHIFT, TERM_BITS - 1 - Math.ceil(Math.log2(b)));
  return shift >= 0 ? shift : undefined;
}

/** The SQL aggregate of a clamped value's sum under `shift` (see fixedPointShift); NULL terms are skipped. */
export function sumSql(value: string, shift: number | undefined): string {
  if (shift === undefined) return `fsum(${value})`;
  // CAST from DOUBLE to BIGINT rounds to the nearest integer (ties to even).
  if (shift === 0) return `sum(CAST(${value} AS BIGINT))`;
  return `sum(CAST(${value} * ${doubleSql(2 ** shift)} AS BIGINT))`;
}

/**
 * A fixed-point total (a HUGEINT read as bigint, or the fallback's double; NULL: no terms) as a number; `scale`: the
 * bigint counts 10^-scale units instead (an exact sum of a DECIMAL column, shift 0; see exact-sum.ts).
 */
export function fixedPointValue(total: unknown, shift: number | undefined, scale = 0): number {
  if (total === null || total === undefined) return 0;
  if (typeof total === 'bigint') {
    return scale > 0 ? Number(total) / 10 ** scale : Number(total) * 2 ** -(shift ?? 0);
  }
  return Number(total);
}
