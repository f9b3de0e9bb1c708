import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DataError, lineLookup, type RawTable } from '@tessera/data';

/** Reading options; there is deliberately no free-form SQL (`where`), so no SQL text ever comes from configuration. */
export interface SqliteReadOptions {
  where?: never;
}

type SqliteValue = null | bigint | number | string | Uint8Array;

/**
 * Reads a whole table (or view) of a SQLite database, opened read-only. The table name is checked against
 * `sqlite_master` and only the stored name is quoted into the query. NULL becomes ''; `lineOf` gives the
 * rowid (or, for views and WITHOUT ROWID tables, the 1-based row position).
 */
export function readSqliteTable(path: string, table: string, _opts: SqliteReadOptions = {}): RawTable {
  if (!existsSync(path)) {
    throw new DataError(
      { source: path },
      'database file not found; check the path (relative paths start from the current directory)',
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new DataError({ source: path }, `cannot open the database (${(err as Error).message})`);
  }
  try {
    const name = storedTableName(db, path, table);
    return readRows(db, `${path} table "${name}"`, name);
  } finally {
    db.close();
  }
}

function storedTableName(db: Database.Database, path: string, requested: string): string {
  let names: string[];
  try {
    names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
  } catch (err) {
    throw new DataError(
      { source: path },
      `cannot read the database (${(err as Error).message}); is this a SQLite file?`,
    );
  }
  const exact = names.find((n) => n === requested);
  if (exact !== undefined) return exact;
  const caseInsensitive = names.filter((n) => n.toLowerCase() === requested.toLowerCase());
  const [only] = caseInsensitive;
  if (only !== undefined && caseInsensitive.length === 1) return only;
  const available = names.length > 0 ? `the tables are: ${names.join(', ')}` : 'the database has no tables';
  throw new DataError({ source: path }, `there is no table or view named ${JSON.stringify(requested)}; ${available}`);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
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

/** Cell text as a CSV export would show it; BLOBs become SQLite hex literals (X'...'). */
function cellText(value: SqliteValue): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex').toUpperCase()}'`;
  return String(value);
}
