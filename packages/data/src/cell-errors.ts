import { DataError } from './data-error.js';
import { cellLocation, type RawTable } from './raw-table.js';

/** The DataError for an empty cell in a numeric column. */
export function emptyNumberError(t: RawTable, row: number, column: string): DataError {
  return new DataError(
    cellLocation(t, row, column),
    `the value is empty but the column is numeric; fill it in, remove the row, or list "${column}" under exclude`,
  );
}
