// What profiling needs to know of one column, gathered cell by cell: from a whole table or from row batches.
import { binaryLabel, categoryValue, numberValue } from './cell-values.js';
import { cellAt, type RawTable } from './raw-table.js';

/** One column's facts for profileSummaries (profile.ts); rows are 0-based positions in the table or scan. */
export interface ColumnSummary {
  /** Non-empty cells that are numbers, and that are not. */
  numbers: number;
  texts: number;
  /** The first non-empty cell that is not a number (-1 when none), and that cell as it was. */
  firstText: number;
  firstTextCell: string;
  /** The first cell that is empty once trimmed (-1 when none). */
  firstEmpty: number;
  /** Distinct trimmed non-empty values, each with the first row holding it, in order of first appearance. */
  distinct: Map<string, number>;
  /** More distinct values occurred than the summariser keeps (`distinct` then holds the first `limit`). */
  overflow: boolean;
  /** The first cell that is not a binary label (-1 when none), as it was. */
  firstNonBinary: number;
  firstNonBinaryCell: string;
  /** The first cell, empty ones included, that is not a number (-1 when none), as it was. */
  firstNonNumber: number;
  firstNonNumberCell: string;
}

/** Builds a ColumnSummary from the cells of one column in row order; keeps at most `limit` distinct values. */
export class ColumnSummariser {
  private readonly s: ColumnSummary = {
    numbers: 0,
    texts: 0,
    firstText: -1,
    firstTextCell: '',
    firstEmpty: -1,
    distinct: new Map(),
    overflow: false,
    firstNonBinary: -1,
    firstNonBinaryCell: '',
    firstNonNumber: -1,
    firstNonNumberCell: '',
  };

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  add(cell: string, row: number): void {
    const s = this.s;
    if (s.firstNonBinary < 0 && binaryLabel(cell) === undefined) {
      s.firstNonBinary = row;
      s.firstNonBinaryCell = cell;
    }
    const value = categoryValue(cell);
    const number = value === '' ? undefined : numberValue(cell);
    if (s.firstNonNumber < 0 && number === undefined) {
      s.firstNonNumber = row;
      s.firstNonNumberCell = cell;
    }
    if (value === '') {
      if (s.firstEmpty < 0) s.firstEmpty = row;
      return;
    }
    if (!s.distinct.has(value)) {
      if (s.distinct.size < this.limit) s.distinct.set(value, row);
      else s.overflow = true;
    }
    if (number !== undefined) {
      s.numbers++;
    } else {
      s.texts++;
      if (s.firstText < 0) {
        s.firstText = row;
        s.firstTextCell = cell;
      }
    }
  }

  summary(): ColumnSummary {
    return this.s;
  }
}

/** The summary of column `column` (an index) of a whole table, every distinct value kept. */
export function summariseTableColumn(t: RawTable, column: number): ColumnSummary {
  const summariser = new ColumnSummariser();
  for (let row = 0; row < t.rows.length; row++) summariser.add(cellAt(t, row, column), row);
  return summariser.summary();
}
