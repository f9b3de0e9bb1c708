import { existsSync } from 'node:fs';
import { DataError } from '@tessera/data';
import Database from 'better-sqlite3';

// What both SQLite readers share (the engine's copy and the JavaScript path's readSqliteTable): the table name as
// stored, and a cell's text.

export type SqliteValue = null | bigint | number | string | Uint8Array;

/** Opens a SQLite file read-only; a missing or unopenable file is a DataError naming it. */
export function openSqliteReadOnly(path: string): Database.Database {
  if (!existsSync(path)) {
    throw new DataError(
      { source: path },
      'database file not found; check the path (relative paths start from the current directory)',
    );
  }
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new DataError({ source: path }, `cannot open the database (${(err as Error).message})`);
  }
}

/** The stored name of `requested`: exact, else the one name equal to it ignoring case (as readSqliteTable does). */
export function storedSqliteTableName(db: Database.Database, path: string, requested: string): string {
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

/** A cell as text (BLOBs as SQLite hex literals X'...'); NULL stays null (readSqliteTable shows it as ''). */
export function sqliteCellText(value: SqliteValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex').toUpperCase()}'`;
  return String(value);
}
