import { BINARY_LABEL_FORMS, binaryLabel } from './cell-values.js';
import { DataError } from './data-error.js';
import { cellAt, cellLocation, columnName, type RawTable } from './raw-table.js';

/** Reads a binary label cell, or throws a DataError naming line, column and value. */
export function labelAt(t: RawTable, row: number, labelColumn: number): 1 | 0 {
  const cell = cellAt(t, row, labelColumn);
  const value = binaryLabel(cell);
  if (value === undefined) {
    throw new DataError(
      cellLocation(t, row, columnName(t, labelColumn)),
      `${JSON.stringify(cell)} is not a binary label; use ${BINARY_LABEL_FORMS} (upper or lower case)`,
    );
  }
  return value;
}

/** The DataError for an empty cell in a numeric column. */
export function emptyNumberError(t: RawTable, row: number, column: string): DataError {
  return new DataError(
    cellLocation(t, row, column),
    `the value is empty but the column is numeric; fill it in, remove the row, or list "${column}" under exclude`,
  );
}
