import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import type { ColumnDescription } from '../column-description.js';
import { sourceError } from '../engine-error.js';
import { quoteIdentifier } from '../identifiers.js';
import { openSqliteReadOnly, sqliteCellText, storedSqliteTableName, type SqliteValue } from './sqlite-names.js';
import { TextTable } from './text-table.js';

/**
 * A table or view of a SQLite database, opened read-only, copied into a DuckDB table of text columns: each cell as
 * the JavaScript path's readSqliteTable gives it (integers exactly, reals as String() writes them, BLOBs as X'..'
 * hex), NULL kept as NULL. The name is checked against sqlite_master and only the stored name is quoted into SQL.
 * Rows are read with iterate() and appended one at a time, so memory is one appender batch.
 */
export async function registerSqlite(
  conn: DuckDBConnection,
  relation: string,
  path: string,
  table: string,
  source: string,
): Promise<ColumnDescription[]> {
  const db = openSqliteReadOnly(path);
  try {
    const name = storedSqliteTableName(db, path, table);
    const statement = db.prepare(`SELECT * FROM ${quoteIdentifier(name)}`);
    statement.raw(true).safeIntegers(true);
    const names = statement.columns().map((c) => c.name);
    const text = await TextTable.create(conn, relation, names, source);
    try {
      for (const record of statement.iterate() as IterableIterator<SqliteValue[]>)
        text.append(record.map(sqliteCellText));
      text.finish();
    } catch (err) {
      await text.abandon();
      throw err;
    }
    return text.columns;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw sourceError(source, err, 'cannot read the table');
  } finally {
    db.close();
  }
}
