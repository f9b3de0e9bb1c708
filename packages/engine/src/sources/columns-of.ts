import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnDescription } from '../column-description.js';

/** The columns and types of a relation. */
export async function columnsOf(conn: DuckDBConnection, relation: string): Promise<ColumnDescription[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return r.getRowObjects().map((o) => ({ name: String(o.column_name), type: String(o.column_type) }));
}
