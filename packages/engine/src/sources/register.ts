import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnDescription } from '../column-description.js';
import type { SourceSpec } from '../source-spec.js';
import { registerCsv } from './csv-source.js';
import { registerParquet } from './parquet-source.js';
import { registerPostgres } from './postgres-source.js';
import { registerRows } from './rows-source.js';
import { registerSqlite } from './sqlite-source.js';

/** Creates `relation` over the source and returns its columns; errors are DataErrors naming `source`. */
export async function registerSource(
  conn: DuckDBConnection,
  relation: string,
  spec: SourceSpec,
  source: string,
): Promise<ColumnDescription[]> {
  switch (spec.type) {
    case 'csv':
      return registerCsv(conn, relation, spec.path);
    case 'parquet':
      return registerParquet(conn, relation, spec.path);
    case 'sqlite':
      return registerSqlite(conn, relation, spec.path, spec.table, source);
    case 'postgres':
      return registerPostgres(conn, relation, spec.url, spec.table, source);
    case 'rows':
      return registerRows(conn, relation, spec.columns, spec.rows, source);
  }
}
