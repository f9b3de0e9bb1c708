import { DataError } from '@tessera/data';
import { csvFileLine } from './sources/csv-lines.js';

/**
 * A DuckDB error while reading a source, as a DataError naming the source and, when DuckDB gives them, the line and
 * the problem, with what to change.
 */
export function sourceError(source: string, err: unknown, what = 'cannot read the data'): DataError {
  if (err instanceof DataError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const line = /CSV Error on Line: (\d+)/.exec(message);
  if (line) {
    const detail = csvProblem(message);
    return new DataError(
      { source, line: csvFileLine(source, Number(line[1])) },
      `${detail}; fix this line (every line needs one field per header column, quotes closed)`,
    );
  }
  if (/CSV Parser state machine reached an invalid state/.test(message)) {
    return new DataError(
      { source },
      'the file is not CSV as expected (comma-separated, double quotes): it may mix line ends (LF and CRLF); save ' +
        'it again with one kind of line end',
    );
  }
  const firstLine = message.split('\n')[0]!.replace(/^[A-Za-z ]+ Error: /, '');
  return new DataError({ source }, `${what} (${firstLine})`);
}

function csvProblem(message: string): string {
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) return `expected ${columns[1]} fields, found ${columns[2]}`;
  if (/unterminated quote/i.test(message)) return 'a quoted value is not closed';
  if (/Invalid unicode|UTF-8/i.test(message)) return 'the text is not valid UTF-8';
  const reason = message.split('\n').find((l, i) => i > 1 && l.trim() && !l.startsWith('Original Line'));
  return reason?.trim() ?? 'the line cannot be read';
}
