import { categorySql, missingSql, numberSql, type LocalEngine } from '@tessera/engine';
import { UNIQUE_MIN_ROWS, type ColumnUniqueness } from './query-guard.js';

/**
 * Which columns of a large data set identify rows, measured once by the engine when the node opens its data (the
 * query guard's checks run synchronously inside admission, before any row is read for the task). Exact distinct
 * counts of a 10^8-row column would cost gigabytes, so a column counts as identifying when it has no missing cell
 * and its approximate distinct count (HyperLogLog, within a few per cent) is at least 90% of its rows: stricter than
 * the exact test the in-memory path makes, never looser.
 */
export const NEAR_UNIQUE = 0.9;
const ISO_DATE_SQL = "'\\d{4}-\\d{2}-\\d{2}.*'";

export async function measureUniqueness(engine: LocalEngine, name: string): Promise<Map<string, ColumnUniqueness>> {
  const d = engine.describe(name);
  const parts = d.columns.map((c, i) => {
    const q = engine.column(name, c.name);
    const t = categorySql(q, c.type);
    return (
      `approx_count_distinct(${t}) AS d${i}, count(*) FILTER (WHERE ${missingSql(q, c.type)}) AS m${i}, ` +
      `bool_and(${numberSql(q, c.type)} IS NOT NULL OR regexp_full_match(${t}, ${ISO_DATE_SQL})) AS o${i}`
    );
  });
  const result = new Map<string, ColumnUniqueness>();
  if (!parts.length) return result;
  const r = await engine.connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${engine.relation(name)}`);
  const row = r.getRows()[0]!;
  d.columns.forEach((c, i) => {
    const distinct = Number(row[3 * i]);
    const missing = Number(row[3 * i + 1]);
    const unique = d.rows >= UNIQUE_MIN_ROWS && missing === 0 && distinct >= NEAR_UNIQUE * d.rows;
    result.set(c.name, { unique, ordered: unique && row[3 * i + 2] === true });
  });
  return result;
}
