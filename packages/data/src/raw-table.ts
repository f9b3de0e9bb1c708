import { DataError, type DataLocation, type LineName } from './data-error.js';

/** Raw table: column names and string cells, plus where each row came from (for error messages). */
export interface RawTable {
  source: string;
  columns: string[];
  rows: string[][];
  /** The 1-based file line (CSV, header is line 1) or the rowid (SQLite) of a row. */
  lineOf: (rowIndex: number) => number;
  /** What `lineOf` gives, as named in messages: 'line' (the default), 'rowid', or 'row' (1-based position). */
  lineName?: LineName;
}

/** The location of a cell (or of a whole row when `column` is omitted), for a DataError. */
export function cellLocation(t: RawTable, rowIndex: number, column?: string): DataLocation {
  const at: DataLocation = { source: t.source, line: t.lineOf(rowIndex) };
  if (column !== undefined) at.column = column;
  if (t.lineName !== undefined) at.lineName = t.lineName;
  return at;
}

/**
 * The cell at `rowIndex`, `column`. Every row of a well-formed table has one cell per column (parseCsv and the
 * SQLite reader check this); a table that breaks that gets a RangeError naming the position, not a TypeError.
 */
export function cellAt(t: RawTable, rowIndex: number, column: number): string {
  const cell = t.rows[rowIndex]?.[column];
  if (cell === undefined) {
    const shape = `${t.rows.length} rows of ${t.columns.length} columns`;
    throw new RangeError(`${t.source}: no cell at row index ${rowIndex}, column ${column} (${shape})`);
  }
  return cell;
}

/** The name of column `column`, or a RangeError naming the index and the column count. */
export function columnName(t: RawTable, column: number): string {
  const name = t.columns[column];
  if (name === undefined) throw new RangeError(`${t.source}: no column ${column} (the table has ${t.columns.length})`);
  return name;
}

/** Index of `name` in the table's columns, or a DataError listing the columns there are. */
const positions = new WeakMap<readonly string[], Map<string, number>>();

/** Column name -> position, built once per column list (tables can be very wide). */
export function columnPosition(t: RawTable, name: string): number {
  let map = positions.get(t.columns);
  if (!map) {
    map = new Map();
    t.columns.forEach((c, i) => {
      if (!map!.has(c)) map!.set(c, i);
    });
    positions.set(t.columns, map);
  }
  return map.get(name) ?? -1;
}

export function columnIndex(t: RawTable, name: string, role: string): number {
  const index = columnPosition(t, name);
  if (index < 0) {
    throw new DataError(
      { source: t.source },
      `there is no ${role} column "${name}"; the columns are: ${t.columns.join(', ')}. ` +
        'Check the spelling or choose one of these',
    );
  }
  return index;
}

/** Line numbers as a lookup function that rejects indices outside the table. */
export function lineLookup(lines: ArrayLike<number>): (rowIndex: number) => number {
  return (rowIndex) => {
    if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= lines.length) {
      throw new RangeError(`row index ${rowIndex} is outside the table (0..${lines.length - 1})`);
    }
    return lines[rowIndex]!; // in range, checked above
  };
}
