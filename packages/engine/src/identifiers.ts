import { DataError } from '@tessera/data';

/**
 * A column name as a DuckDB identifier: double-quoted, inner quotes doubled. Only names read from a data set's own
 * schema are ever quoted (see `checkedColumn`): SQL text never takes a name from an analyst unchecked.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string as a SQL literal: single-quoted, inner quotes doubled (used only for file paths the owner configured). */
export function quoteLiteral(text: string): string {
  if (text.includes('\u0000')) throw new Error('a SQL literal cannot contain a NUL character');
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A file path as a SQL literal naming that file alone: DuckDB's readers take *, ? and [ as wildcards, so each is
 * written as a one-character class ([*], [?], [[]), which matches only itself.
 */
export function quotePath(path: string): string {
  return quoteLiteral(path.replace(/[*?[]/g, (c) => `[${c}]`));
}

/**
 * The quoted identifier of `column`, which must be one of `columns` exactly (case and spaces included); otherwise a
 * DataError naming the source, the column asked for and the columns there are. This is the schema check every
 * analyst-given name passes before it appears in SQL.
 */
export function checkedColumn(source: string, columns: readonly string[], column: string): string {
  if (!columns.includes(column)) {
    throw new DataError(
      { source, column },
      `there is no such column (the columns are: ${columns.join(', ')}); name one of these`,
    );
  }
  return quoteIdentifier(column);
}
