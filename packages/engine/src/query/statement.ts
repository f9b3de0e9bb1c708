import type { DuckDBConnection } from '@duckdb/node-api';
import { sourceError } from '../engine-error.js';
import type { SqlParams } from './sql-values.js';

/**
 * Runs `sql` with its bound parameters and hands each result row to `onRow`, one DuckDB chunk (2048 rows) at a time,
 * so that a large result (top-k items, sampled customers' rows) is never held whole. Errors while reading the data
 * are DataErrors naming `source`.
 */
export async function forEachRow(
  conn: DuckDBConnection,
  sql: string,
  params: SqlParams,
  source: string,
  onRow: (row: unknown[]) => void,
): Promise<void> {
  try {
    const statement = await conn.prepare(sql);
    try {
      params.bindTo(statement);
      const result = await statement.stream();
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const row of chunk.getRows()) onRow(row);
      }
    } finally {
      statement.destroySync();
    }
  } catch (err) {
    throw sourceError(source, err);
  }
}
