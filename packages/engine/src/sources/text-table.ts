import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import type { ColumnDescription } from '../column-description.js';
import { quoteIdentifier } from '../identifiers.js';

/**
 * A DuckDB table of text columns (every column VARCHAR, NULL kept as NULL) that a database source's rows are copied
 * into, one batch at a time through an appender, so that the copy holds one batch in JavaScript whatever the table's
 * size. `relation` is the engine's quoted relation name.
 */
export class TextTable {
  private rowsSinceFlush = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly relation: string,
    private readonly appender: DuckDBAppender,
    readonly columns: ColumnDescription[],
    private readonly flushEvery: number,
  ) {}

  /**
   * Creates the table with `names` as its columns (a name given twice is a DataError naming `source`: DuckDB, like
   * the JavaScript path, needs every column to have its own name).
   */
  static async create(
    conn: DuckDBConnection,
    relation: string,
    names: readonly string[],
    source: string,
    flushEvery = 10_000,
  ): Promise<TextTable> {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new DataError(
          { source, column: name },
          'this column name appears twice; give the columns distinct names (in a view, alias one with AS)',
        );
      }
      seen.add(name);
    }
    if (names.length === 0) throw new DataError({ source }, 'the table has no columns; name a table with columns');
    const list = names.map((n) => `${quoteIdentifier(n)} VARCHAR`).join(', ');
    await conn.run(`CREATE TABLE ${relation} (${list})`);
    try {
      const appender = await conn.createAppender(unquoted(relation));
      const columns = names.map((name) => ({ name, type: 'VARCHAR' }));
      return new TextTable(conn, relation, appender, columns, flushEvery);
    } catch (err) {
      await conn.run(`DROP TABLE IF EXISTS ${relation}`);
      throw err;
    }
  }

  /** Appends one row: a string per column, null for SQL NULL. */
  append(row: readonly (string | null)[]): void {
    for (const cell of row) {
      if (cell === null) this.appender.appendNull();
      else this.appender.appendVarchar(cell);
    }
    this.appender.endRow();
    if (++this.rowsSinceFlush >= this.flushEvery) {
      this.appender.flushSync();
      this.rowsSinceFlush = 0;
    }
  }

  /** Flushes the last rows and closes the appender: the table is complete. */
  finish(): void {
    this.appender.closeSync();
  }

  /** Abandons the copy: closes the appender without keeping its rows and drops the table. */
  async abandon(): Promise<void> {
    try {
      this.appender.clear();
      this.appender.closeSync();
    } catch {
      // The appender may already be unusable after the error that led here; the table is dropped regardless.
    }
    await this.conn.run(`DROP TABLE IF EXISTS ${this.relation}`);
  }
}

/** The name inside a quoted identifier ("a""b" -> a"b), for the appender, which takes a bare table name. */
function unquoted(relation: string): string {
  if (!relation.startsWith('"') || !relation.endsWith('"')) return relation;
  return relation.slice(1, -1).replaceAll('""', '"');
}
