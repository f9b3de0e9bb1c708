import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnDescription } from '../column-description.js';
import { TextTable } from './text-table.js';

/**
 * Rows a JavaScript reader already parsed (a node's small CSV or SQLite file, read by the JavaScript path at start),
 * copied into a text table: the engine then sees exactly the cells the JavaScript path sees, whatever the two
 * readers' dialects would make of the file's corner cases (blank lines, spaces before quotes, mixed line ends).
 */
export async function registerRows(
  conn: DuckDBConnection,
  relation: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  source: string,
): Promise<ColumnDescription[]> {
  const text = await TextTable.create(conn, relation, columns, source);
  try {
    for (const row of rows) text.append(row);
    text.finish();
  } catch (err) {
    await text.abandon();
    throw err;
  }
  return text.columns;
}
