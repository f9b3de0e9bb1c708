import { categoryValue, numberValue } from './cell-values.js';
import { emptyNumberError } from './cell-errors.js';
import { BINARY_TARGET, labelCellReader, type LabelTarget } from './label-target.js';
import { DataError } from './data-error.js';
import { cellAt, cellLocation, columnIndex, type RawTable } from './raw-table.js';
import { sortedStrings, type ColumnProfile, type LocalSchema } from './schema.js';

export const DEFAULT_MAX_CATEGORIES = 32;

export interface ProfileOptions {
  /** A text column with more distinct values than this is rejected (default 32). */
  maxCategories?: number;
  /** Columns to ignore entirely, e.g. customer ids. */
  exclude?: string[];
  /** If given, only these columns (in this order) are features. */
  features?: string[];
  /** What the label must hold (default binary 0/1); every label cell is checked against it. */
  target?: LabelTarget;
}

/**
 * Infers each feature column's kind (numeric when at least half the cells are numbers, else categorical) and validates
 * every cell and label; any problem is a DataError naming file, line, column and the fix.
 */
export function profileTable(t: RawTable, label: string, opts: ProfileOptions = {}): LocalSchema {
  const maxCategories = opts.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  if (!Number.isInteger(maxCategories) || maxCategories < 1) {
    throw new RangeError(`maxCategories must be a positive integer, got ${maxCategories}`);
  }
  const labelColumn = columnIndex(t, label, 'label');
  const features = featureColumns(t, label, opts);
  if (t.rows.length === 0) {
    throw new DataError(
      { source: t.source },
      'the table has a header but no data rows; add rows or choose another file',
    );
  }
  const labelAt = labelCellReader(t, labelColumn, opts.target ?? BINARY_TARGET);
  for (let row = 0; row < t.rows.length; row++) labelAt(row);
  return {
    columns: features.map((name) => profileColumn(t, name, maxCategories)),
    label,
    rows: t.rows.length,
  };
}

function featureColumns(t: RawTable, label: string, opts: ProfileOptions): string[] {
  const exclude = new Set(opts.exclude ?? []);
  if (exclude.has(label)) {
    throw new DataError(
      { source: t.source },
      `the label column "${label}" is listed under exclude; remove it from exclude`,
    );
  }
  const candidates = opts.features ?? t.columns.filter((name) => name !== label);
  for (const name of candidates) {
    columnIndex(t, name, 'feature');
    if (name === label) {
      throw new DataError(
        { source: t.source },
        `"${label}" is the label, so it cannot also be a feature; remove it from features`,
      );
    }
  }
  const features = candidates.filter((name) => !exclude.has(name));
  if (features.length === 0) {
    throw new DataError(
      { source: t.source },
      'no feature columns are left besides the label; include at least one column',
    );
  }
  return features;
}

function profileColumn(t: RawTable, name: string, maxCategories: number): ColumnProfile {
  const column = columnIndex(t, name, 'feature'); // featureColumns checked the name already
  let numbers = 0;
  let texts = 0;
  let firstText = -1;
  let firstEmpty = -1;
  const distinct = new Set<string>();
  for (let row = 0; row < t.rows.length; row++) {
    const cell = cellAt(t, row, column);
    const value = categoryValue(cell);
    if (value === '') {
      if (firstEmpty < 0) firstEmpty = row;
      continue;
    }
    distinct.add(value);
    if (numberValue(cell) !== undefined) {
      numbers++;
    } else {
      texts++;
      if (firstText < 0) firstText = row;
    }
  }

  if (numbers >= texts && numbers > 0) {
    if (firstText >= 0 && (firstEmpty < 0 || firstText < firstEmpty)) {
      throw new DataError(
        cellLocation(t, firstText, name),
        `${JSON.stringify(cellAt(t, firstText, column))} is not a number ` +
          `(the column is numeric in ${numbers} other rows); ` +
          `fix the value or list "${name}" under exclude`,
      );
    }
    if (firstEmpty >= 0) throw emptyNumberError(t, firstEmpty, name);
    return { name, kind: 'numeric' };
  }

  if (firstEmpty >= 0) {
    throw new DataError(
      cellLocation(t, firstEmpty, name),
      `the value is empty; fill it in (for example with "unknown") or list "${name}" under exclude`,
    );
  }
  if (distinct.size > maxCategories) {
    throw new DataError(
      { source: t.source, column: name },
      `the column has ${distinct.size} distinct text values, more than the ${maxCategories} allowed for a category; ` +
        `drop it (list "${name}" under exclude) or bucket its values into at most ${maxCategories} groups`,
    );
  }
  return { name, kind: 'categorical', categories: sortedStrings(distinct) };
}
