import type Database from 'better-sqlite3';
import { lineLookup, type RawTable } from '@tessera/data';
import {
  openSqliteReadOnly,
  quoteIdentifier,
  sqliteCellText,
  storedSqliteTableName,
  type SqliteValue,
} from '@tessera/engine';

/** Reading options; there is deliberately no free-form SQL (`where`), so no SQL text ever comes from configuration. */
export interface SqliteReadOptions {
  where?: never;
}

/**
 * Reads a whole table (or view) of a SQLite database, opened read-only. The table name is checked against
 * `sqlite_master` and only the stored name is quoted into the query. NULL becomes ''; `lineOf` gives the
 * rowid (or, for views and WITHOUT ROWID tables, the 1-based row position).
 */
export function readSqliteTable(path: string, table: string, _opts: SqliteReadOptions = {}): RawTable {
  const db = openSqliteReadOnly(path);
  try {
    const name = storedSqliteTableName(db, path, table);
    return readRows(db, `${path} table "${name}"`, name);
  } finally {
    db.close();
  }
}

function readRows(db: Database.Database, source: string, table: string): RawTable {
  const quoted = quoteIdentifier(table);
  const withRowid = tryPrepare(db, `SELECT rowid, * FROM ${quoted}`);
  const statement = withRowid ?? db.prepare(`SELECT * FROM ${quoted}`);
  statement.raw(true).safeIntegers(true);
  const columns = statement
    .columns()
    .map((c) => c.name)
    .slice(withRowid ? 1 : 0);
  const values = statement.all() as SqliteValue[][];

  const rows = values.map((record) => (withRowid ? record.slice(1) : record).map(cellText));
  const lines = values.map((record, i) => (withRowid ? Number(record[0]) : i + 1));
  return { source, columns, rows, lineOf: lineLookup(lines), lineName: withRowid ? 'rowid' : 'row' };
}

function tryPrepare(db: Database.Database, sql: string): Database.Statement | undefined {
  try {
    return db.prepare(sql);
  } catch {
    return undefined;
  }
}

/** Cell text as a CSV export would show it (NULL as ''; BLOBs as SQLite hex literals X'...'). */
function cellText(value: SqliteValue): string {
  return sqliteCellText(value) ?? '';
}
