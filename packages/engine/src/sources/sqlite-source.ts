import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import Database from 'better-sqlite3';
import type { ColumnDescription } from '../column-description.js';
import { sourceError } from '../engine-error.js';
import { quoteIdentifier } from '../identifiers.js';
import { TextTable } from './text-table.js';

type SqliteValue = null | bigint | number | string | Uint8Array;

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
    const statement = db.prepare(`SELECT * FROM ${quoteIdentifier(name)}`);
    statement.raw(true).safeIntegers(true);
    const names = statement.columns().map((c) => c.name);
    const text = await TextTable.create(conn, relation, names, source);
    try {
      for (const record of statement.iterate() as IterableIterator<SqliteValue[]>) text.append(record.map(cellText));
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

/** The stored name of `requested`: exact, else the one name equal to it ignoring case (as readSqliteTable does). */
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

/** A cell as readSqliteTable's text, except that NULL stays NULL (the engine's batches give '' for it). */
function cellText(value: SqliteValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex').toUpperCase()}'`;
  return String(value);
}
