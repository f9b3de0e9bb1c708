import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError, parseCsv } from '@tessera/data';
import type { ColumnDescription } from '../column-description.js';
import { sourceError } from '../engine-error.js';
import { quoteIdentifier, quoteLiteral, quotePath } from '../identifiers.js';

/**
 * A CSV file as a view of text columns (every cell VARCHAR, as the JavaScript path reads it): comma-separated, double
 * quotes, a header line, LF or CRLF. The dialect is fixed rather than sniffed, and strict: a line with the wrong
 * number of fields or an open quote is an error naming the line, wherever it is in the file.
 */
export async function registerCsv(
  conn: DuckDBConnection,
  relation: string,
  path: string,
): Promise<ColumnDescription[]> {
  const header = readHeader(path);
  const columns = header.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
  const options = [
    'header = true',
    "delim = ','",
    `quote = '"'`,
    `escape = '"'`,
    'auto_detect = false',
    'strict_mode = true',
    'null_padding = false',
    // "" is an empty value, not NULL: only an unquoted empty line of a one-column file reads as NULL (below)
    'allow_quoted_nulls = false',
    `columns = {${columns}}`,
  ].join(', ');
  // The JavaScript path skips blank lines; DuckDB does too, except in a file of one column, where a blank line is a
  // NULL value (a quoted "" stays an empty value, which the JavaScript path keeps).
  const blank = header.length === 1 ? ` WHERE ${quoteIdentifier(header[0]!)} IS NOT NULL` : '';
  try {
    await conn.run(`CREATE VIEW ${relation} AS SELECT * FROM read_csv(${quotePath(path)}, ${options})${blank}`);
  } catch (err) {
    throw sourceError(path, err);
  }
  return header.map((name) => ({ name, type: 'VARCHAR' }));
}

/** The header line's column names, read from the start of the file only. */
function readHeader(path: string): string[] {
  if (!existsSync(path)) {
    throw new DataError(
      { source: path },
      'file not found; check the path (relative paths start from the current directory)',
    );
  }
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  let text = buf.subarray(0, n).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  if (n === 0 || (end < 0 && n === buf.length)) {
    throw new DataError({ source: path, line: 1 }, 'there is no header line; the first line must name the columns');
  }
  const table = parseCsv(`${end < 0 ? text : text.slice(0, end)}\n`, path);
  const seen = new Set<string>();
  for (const c of table.columns) {
    if (seen.has(c))
      throw new DataError({ source: path, line: 1, column: c }, 'this column name appears twice; rename one');
    seen.add(c);
  }
  return table.columns;
}
