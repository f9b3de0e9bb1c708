import { doubleSql, integerSql } from './sql-values.js';

/**
 * evaluate.ts binOf as SQL: the bin of `value` (already clamped to [edges[0], edges[last]]) among `edges`, the last
 * bin including its right edge, as a nested CASE that follows binOf's binary search step for step (depth log2 of the
 * bin count). NULL stays NULL.
 */
export function binSql(value: string, edges: readonly number[]): string {
  if (edges.length < 2) throw new RangeError(`bins need at least two edges, got ${edges.length}`);
  const last = edges.length - 2;
  const search = (lo: number, hi: number): string => {
    if (lo >= hi) return integerSql(lo);
    const mid = (lo + hi + 1) >> 1;
    return `CASE WHEN ${value} >= ${doubleSql(edges[mid]!)} THEN ${search(mid, hi)} ELSE ${search(lo, mid - 1)} END`;
  };
  const top = `WHEN ${value} >= ${doubleSql(edges[last]!)} THEN ${integerSql(last)}`;
  return `(CASE WHEN ${value} IS NULL THEN NULL ${top} ELSE ${search(0, last)} END)`;
}

/**
 * evaluate.ts clamp as SQL: `value` limited to [lo, hi], NULL staying NULL (DuckDB's least and greatest would skip
 * a NULL and give a bound).
 */
export function clampSql(value: string, [lo, hi]: readonly [number, number]): string {
  const l = doubleSql(lo);
  const h = doubleSql(hi);
  return `(CASE WHEN ${value} < ${l} THEN ${l} WHEN ${value} > ${h} THEN ${h} ELSE ${value} END)`;
}
