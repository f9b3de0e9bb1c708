export type LineName = 'line' | 'rowid' | 'row';

/** Where in a data source a problem was found. `line` is a 1-based file line (or a SQLite rowid, see `lineName`). */
export interface DataLocation {
  source: string;
  line?: number;
  column?: string;
  /** How to call `line` in the message: 'line' for text files, 'rowid' or 'row' for SQLite tables and views. */
  lineName?: LineName;
}

/**
 * A problem with the user's data. The message always names the source, the line and column when known,
 * and says what to change, e.g.
 * `customers.csv line 3, column "b": "x" is not a number (...); fix the value or list "b" under exclude`.
 */
export class DataError extends Error {
  readonly source: string;
  readonly line?: number;
  readonly column?: string;

  constructor(at: DataLocation, problem: string) {
    super(`${describeLocation(at)}: ${problem}`);
    this.name = 'DataError';
    this.source = at.source;
    if (at.line !== undefined) this.line = at.line;
    if (at.column !== undefined) this.column = at.column;
  }
}

function describeLocation(at: DataLocation): string {
  let text = at.source;
  if (at.line !== undefined) text += ` ${at.lineName ?? 'line'} ${at.line}`;
  if (at.column !== undefined) text += `${at.line !== undefined ? ',' : ''} column "${at.column}"`;
  return text;
}
