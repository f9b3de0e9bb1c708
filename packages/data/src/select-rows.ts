import { lineLookup, type RawTable } from './raw-table.js';

/** A table of the given rows, in the given order; `lineOf` still points at the original lines. */
export function selectRows(t: RawTable, rows: ArrayLike<number>): RawTable {
  const picked: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const index = rows[i]!; // i < rows.length; the index itself is checked below
    if (!Number.isInteger(index) || index < 0 || index >= t.rows.length) {
      throw new RangeError(`selectRows: row index ${index} is outside the table (0..${t.rows.length - 1})`);
    }
    picked.push(t.rows[index]!.slice());
    lines.push(t.lineOf(index));
  }
  const selected: RawTable = { source: t.source, columns: t.columns.slice(), rows: picked, lineOf: lineLookup(lines) };
  if (t.lineName !== undefined) selected.lineName = t.lineName;
  return selected;
}
