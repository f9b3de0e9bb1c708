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
 * True when the edges are equal-width bins as numericEdges lays them out by default: edges[i] is exactly
 * edges[0] + ((edges[n] - edges[0]) * i) / n for every i < n. Such bins are found by division (uniformBinSql).
 */
export function isUniform(edges: readonly number[]): boolean {
  const n = edges.length - 1;
  const first = edges[0]!;
  const span = edges[n]! - first;
  if (n < 1 || !Number.isFinite(span) || !(span > 0)) return false;
  return edges.every((e, i) => i === n || e === first + (span * i) / n);
}

/** The first guess at a uniform bin: the division's floor, limited to [0, n - 1] (within one of the bin). */
export function uniformGuessSql(value: string, edges: readonly number[]): string {
  const n = edges.length - 1;
  const width = (edges[n]! - edges[0]!) / n;
  const quotient = `floor((${value} - ${doubleSql(edges[0]!)}) / ${doubleSql(width)})`;
  return `least(greatest(CAST(${quotient} AS BIGINT), 0), ${integerSql(n - 1)})`;
}

/**
 * binOf for uniform edges (isUniform), from the guess (uniformGuessSql, a column): the guess moved down when the value
 * is below its left edge, up when it is at or above its right edge (not past the last bin), where each edge is
 * computed in SQL with the same double operations as numericEdges, so it is the plan's edge exactly.
 */
export function uniformBinSql(value: string, guess: string, edges: readonly number[]): string {
  const n = edges.length - 1;
  const first = doubleSql(edges[0]!);
  const span = doubleSql(edges[n]! - edges[0]!);
  const edge = (i: string) => `(${first} + (${span} * CAST(${i} AS DOUBLE)) / ${doubleSql(n)})`;
  const below = `CAST(${value} < ${edge(guess)} AS BIGINT)`;
  const above = `CAST(${guess} < ${integerSql(n - 1)} AND ${value} >= ${edge(`${guess} + 1`)} AS BIGINT)`;
  return `(${guess} - ${below} + ${above})`;
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

/**
 * numberSql and clampSql together for a FLOAT or DOUBLE value `value` (as DOUBLE): NULL when it is not finite, else
 * limited to [lo, hi], in one CASE whose first branch is the common case of a value within the bounds. The later
 * branches are clampSql's in its order, each also requiring a finite value (DuckDB orders NaN above +Infinity, so NaN
 * fails `< Infinity` and every non-finite value reaches no branch).
 */
export function finiteClampSql(value: string, [lo, hi]: readonly [number, number]): string {
  const l = doubleSql(lo);
  const h = doubleSql(hi);
  const inf = "CAST('Infinity' AS DOUBLE)";
  const minusInf = "CAST('-Infinity' AS DOUBLE)";
  return (
    `(CASE WHEN ${value} >= ${l} AND ${value} <= ${h} THEN ${value} ` +
    `WHEN ${value} < ${l} AND ${value} > ${minusInf} THEN ${l} ` +
    `WHEN ${value} > ${h} AND ${value} < ${inf} THEN ${h} END)`
  );
}
