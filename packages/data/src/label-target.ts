// What a label column holds and how a cell of it encodes: 0/1 (binary), a class index (multiclass) or a number.
import { BINARY_LABEL_FORMS, binaryLabel, categoryValue, numberValue } from './cell-values.js';
import { DataError } from './data-error.js';
import { cellAt, cellLocation, columnName, type RawTable } from './raw-table.js';

/** The label's task: binary 0/1, one of public classes (encoded as its index), or a real number. */
export type LabelTarget = { task: 'binary' } | { task: 'multiclass'; classes: string[] } | { task: 'regression' };

export const BINARY_TARGET: LabelTarget = Object.freeze({ task: 'binary' });

/**
 * A label cell's encoding under the target, or a DataError naming line, column, value and the fix. A class is
 * matched on its trimmed text, and numerically when both are numbers ("1.0" is class "1").
 */
export function labelCellReader(t: RawTable, labelColumn: number, target: LabelTarget): (row: number) => number {
  const where = (row: number) => cellLocation(t, row, columnName(t, labelColumn));
  if (target.task === 'binary') {
    return (row) => {
      const cell = cellAt(t, row, labelColumn);
      const value = binaryLabel(cell);
      if (value === undefined)
        throw new DataError(
          where(row),
          `${JSON.stringify(cell)} is not a binary label; use ${BINARY_LABEL_FORMS} (upper or lower case)`,
        );
      return value;
    };
  }
  if (target.task === 'regression') {
    return (row) => {
      const cell = cellAt(t, row, labelColumn);
      const value = numberValue(cell);
      if (value === undefined)
        throw new DataError(where(row), `${JSON.stringify(cell)} is not a number, and the label of a regression is`);
      return value;
    };
  }
  const byText = new Map(target.classes.map((c, i) => [c, i]));
  const byNumber = new Map<number, number>();
  target.classes.forEach((c, i) => {
    const n = numberValue(c);
    if (n !== undefined && !byNumber.has(n)) byNumber.set(n, i);
  });
  return (row) => {
    const cell = cellAt(t, row, labelColumn);
    const text = categoryValue(cell);
    const n = numberValue(text);
    const index = byText.get(text) ?? (n !== undefined ? byNumber.get(n) : undefined);
    if (index === undefined)
      throw new DataError(
        where(row),
        `${JSON.stringify(text)} is not one of the job's classes (${target.classes.join(', ')}); ` +
          'fix the value or remove the row',
      );
    return index;
  };
}
