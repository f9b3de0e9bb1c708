import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import type { ColumnDescription } from '../column-description.js';
import { sourceError } from '../engine-error.js';
import { quotePath } from '../identifiers.js';
import { columnsOf } from './columns-of.js';

/** A Parquet file as a view; its column types are the file's own. */
export async function registerParquet(
  conn: DuckDBConnection,
  relation: string,
  path: string,
): Promise<ColumnDescription[]> {
  if (!existsSync(path)) throw new DataError({ source: path }, 'file not found; check the path');
  try {
    await conn.run(`CREATE VIEW ${relation} AS SELECT * FROM read_parquet(${quotePath(path)})`);
    return await columnsOf(conn, relation);
  } catch (err) {
    throw sourceError(path, err, 'this is not a readable Parquet file; export it again or check the path');
  }
}
