import { categoryValue } from './cell-values.js';
import { DataError } from './data-error.js';
import { sortedIndices } from './indices.js';
import { cellAt, columnIndex, type RawTable } from './raw-table.js';
import { sortedStrings } from './schema.js';

/**
 * One part per distinct value of `column` (values sorted); with more values than parts, value i goes to
 * part i mod parts. Fewer values than parts is a DataError.
 */
export function splitByColumn(t: RawTable, rows: Uint32Array, parts: number, column: string): Uint32Array[] {
  const index = columnIndex(t, column, 'split');
  const categoryAt = (row: number) => categoryValue(cellAt(t, row, index));
  const values = sortedStrings(new Set(Array.from(rows, categoryAt)));
  if (values.length < parts) {
    throw new DataError(
      { source: t.source, column },
      `by:${column} needs at least one distinct value per part, but the column has ${values.length} distinct ` +
        `value${values.length === 1 ? '' : 's'} (${values.join(', ')}) for ${parts} parts; ` +
        `use at most ${values.length} parts or another split`,
    );
  }
  const partOfValue = new Map(values.map((v, i) => [v, i % parts]));
  const assignment: number[][] = Array.from({ length: parts }, () => []);
  for (const row of rows) assignment[partOfValue.get(categoryAt(row)) ?? 0]!.push(row); // parts are i % parts
  return assignment.map(sortedIndices);
}
