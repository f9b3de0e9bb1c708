import { categoryValue, numberValue } from './cell-values.js';
import { emptyNumberError } from './cell-errors.js';
import { BINARY_TARGET, labelCellReader } from './label-target.js';
import { DataError } from './data-error.js';
import { cellAt, cellLocation, columnIndex, columnName, type RawTable } from './raw-table.js';
import type { AgreedSchema, ColumnProfile } from './schema.js';

/** A numeric design matrix: `x` is n rows of d features, row-major; `y` the encoded labels (see LabelTarget). */
export interface EncodedData {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  featureNames: string[];
}

/** The encoded column names: numeric features as named, categorical ones as 'name=category' per category. */
export function featureNames(schema: AgreedSchema): string[] {
  return schema.features.flatMap((f) =>
    f.kind === 'numeric' ? [f.name] : (f.categories ?? []).map((category) => `${f.name}=${category}`),
  );
}

/** Encodes a table with the agreed schema: numeric features as they are, categorical ones one-hot in domain order. */
export function encodeTable(t: RawTable, schema: AgreedSchema): EncodedData {
  const names = featureNames(schema);
  const n = t.rows.length;
  const d = names.length;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  const labelColumn = columnIndex(t, schema.label, 'label');
  const encoders = schema.features.map((f) => columnEncoder(t, f));
  const labelAt = labelCellReader(t, labelColumn, schema.target ?? BINARY_TARGET);

  for (let row = 0; row < n; row++) {
    y[row] = labelAt(row);
    let offset = row * d;
    for (const encode of encoders) offset = encode(row, x, offset);
  }
  return { x, y, n, d, featureNames: names };
}

/** Writes one row's value(s) of a feature at `offset` and returns the offset after them. */
type ColumnEncoder = (row: number, x: Float64Array, offset: number) => number;

function columnEncoder(t: RawTable, feature: ColumnProfile): ColumnEncoder {
  const column = columnIndex(t, feature.name, 'feature');
  if (feature.kind === 'numeric') {
    return (row, x, offset) => {
      x[offset] = numberAt(t, row, column);
      return offset + 1;
    };
  }
  const categories = feature.categories ?? [];
  const position = new Map(categories.map((c, i) => [c, i]));
  return (row, x, offset) => {
    const value = categoryValue(cellAt(t, row, column));
    const index = position.get(value);
    if (index === undefined && feature.declared) return offset + categories.length;
    if (index === undefined) {
      throw new DataError(
        cellLocation(t, row, feature.name),
        `${JSON.stringify(value)} is not one of the agreed categories (${categories.join(', ')}); ` +
          `change it to one of them, or remove the row`,
      );
    }
    x[offset + index] = 1;
    return offset + categories.length;
  };
}

function numberAt(t: RawTable, row: number, column: number): number {
  const cell = cellAt(t, row, column);
  if (cell.trim() === '') throw emptyNumberError(t, row, columnName(t, column));
  const value = numberValue(cell);
  if (value === undefined) {
    const name = columnName(t, column);
    throw new DataError(
      cellLocation(t, row, name),
      `${JSON.stringify(cell)} is not a number but the agreed schema says "${name}" is numeric; fix the value`,
    );
  }
  return value;
}
