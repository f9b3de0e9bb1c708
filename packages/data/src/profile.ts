import { emptyNumberError } from './cell-errors.js';
import { ColumnSummariser, summariseTableColumn, type ColumnSummary } from './column-summaries.js';
import { BINARY_TARGET, labelCellReader, type LabelTarget } from './label-target.js';
import { DataError } from './data-error.js';
import { cellLocation, columnPosition, type RawTable } from './raw-table.js';
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
 * A table as profiling sees it: its columns, row count, where a row is (for messages) and each column's summary
 * (column-summaries.ts). A whole RawTable is one (`tableSummaries`); so are summaries gathered from row batches.
 */
export interface SummarisedTable extends Pick<RawTable, 'source' | 'columns' | 'lineOf' | 'lineName'> {
  rows: number;
  /** The summary of a column of `columns`. */
  summary(column: string): ColumnSummary;
}

/** A whole table's summaries, each column summarised when first asked for (every distinct value kept). */
export function tableSummaries(t: RawTable): SummarisedTable {
  const done = new Map<string, ColumnSummary>();
  return {
    source: t.source,
    columns: t.columns,
    rows: t.rows.length,
    lineOf: t.lineOf,
    ...(t.lineName !== undefined ? { lineName: t.lineName } : {}),
    summary(column) {
      let s = done.get(column);
      if (!s) {
        s = summariseTableColumn(t, columnPosition(t, column));
        done.set(column, s);
      }
      return s;
    },
  };
}

/**
 * Infers each feature column's kind (numeric when at least half the cells are numbers, else categorical) and validates
 * every cell and label; any problem is a DataError naming file, line, column and the fix.
 */
export function profileTable(t: RawTable, label: string, opts: ProfileOptions = {}): LocalSchema {
  return profileSummaries(tableSummaries(t), label, opts);
}

/** profileTable's rules and messages, applied to column summaries. */
export function profileSummaries(t: SummarisedTable, label: string, opts: ProfileOptions = {}): LocalSchema {
  const maxCategories = opts.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  if (!Number.isInteger(maxCategories) || maxCategories < 1) {
    throw new RangeError(`maxCategories must be a positive integer, got ${maxCategories}`);
  }
  checkColumn(t, label, 'label');
  const features = featureColumns(t, label, opts);
  if (t.rows === 0) {
    throw new DataError(
      { source: t.source },
      'the table has a header but no data rows; add rows or choose another file',
    );
  }
  checkLabel(t, label, opts.target ?? BINARY_TARGET);
  return {
    columns: features.map((name) => profileColumn(t, name, maxCategories)),
    label,
    rows: t.rows,
  };
}

/** The columns' summaries gathered while reading rows in batches; `limit` bounds the distinct values kept. */
export function summariseRows(columns: string[], limit: number) {
  const summarisers = columns.map(() => new ColumnSummariser(limit));
  return {
    /** Adds rows whose cells are in `columns` order; `first` is the first row's position. */
    add(rows: readonly (readonly string[])[], first: number): void {
      for (const [c, summariser] of summarisers.entries()) {
        for (let i = 0; i < rows.length; i++) summariser.add(rows[i]![c]!, first + i); // one cell per column
      }
    },
    summaries(): Map<string, ColumnSummary> {
      return new Map(columns.map((name, c) => [name, summarisers[c]!.summary()]));
    },
  };
}

function checkColumn(t: SummarisedTable, name: string, role: string): void {
  if (!t.columns.includes(name)) {
    throw new DataError(
      { source: t.source },
      `there is no ${role} column "${name}"; the columns are: ${t.columns.join(', ')}. ` +
        'Check the spelling or choose one of these',
    );
  }
}

/** A one-row table holding `cell` at row `row` of `t`, so that a cell reader's message names the right place. */
function cellTable(t: SummarisedTable, column: string, row: number, cell: string): RawTable {
  return {
    source: t.source,
    columns: [column],
    rows: [[cell]],
    lineOf: () => t.lineOf(row),
    ...(t.lineName !== undefined ? { lineName: t.lineName } : {}),
  };
}

/** Throws the label reader's error for the first label cell that does not fit the target. */
function checkLabel(t: SummarisedTable, label: string, target: LabelTarget): void {
  const s = t.summary(label);
  const fail = (row: number, cell: string) => labelCellReader(cellTable(t, label, row, cell), 0, target)(0);
  if (target.task === 'binary') {
    if (s.firstNonBinary >= 0) fail(s.firstNonBinary, s.firstNonBinaryCell);
    return;
  }
  if (target.task === 'regression') {
    if (s.firstNonNumber >= 0) fail(s.firstNonNumber, s.firstNonNumberCell);
    return;
  }
  // A class is judged on the trimmed text alone: the first failing row is the first row of a failing value.
  const values = [...s.distinct];
  if (s.firstEmpty >= 0) values.push(['', s.firstEmpty]);
  values.sort((a, b) => a[1] - b[1]);
  for (const [value, row] of values) fail(row, value);
  if (s.overflow) {
    throw new DataError(
      { source: t.source, column: label },
      `the label has more than ${s.distinct.size} distinct values, too many for a class label of ` +
        `${target.classes.length} classes; fix the values or choose another label`,
    );
  }
}

function featureColumns(t: SummarisedTable, label: string, opts: ProfileOptions): string[] {
  const exclude = new Set(opts.exclude ?? []);
  if (exclude.has(label)) {
    throw new DataError(
      { source: t.source },
      `the label column "${label}" is listed under exclude; remove it from exclude`,
    );
  }
  const candidates = opts.features ?? t.columns.filter((name) => name !== label);
  for (const name of candidates) {
    checkColumn(t, name, 'feature');
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

function profileColumn(t: SummarisedTable, name: string, maxCategories: number): ColumnProfile {
  const { numbers, texts, firstText, firstTextCell, firstEmpty, distinct, overflow } = t.summary(name);
  const at = (row: number) => cellLocation(cellTable(t, name, row, ''), 0, name);
  if (numbers >= texts && numbers > 0) {
    if (firstText >= 0 && (firstEmpty < 0 || firstText < firstEmpty)) {
      throw new DataError(
        at(firstText),
        `${JSON.stringify(firstTextCell)} is not a number ` +
          `(the column is numeric in ${numbers} other rows); ` +
          `fix the value or list "${name}" under exclude`,
      );
    }
    if (firstEmpty >= 0) throw emptyNumberError(cellTable(t, name, firstEmpty, ''), 0, name);
    return { name, kind: 'numeric' };
  }

  if (firstEmpty >= 0) {
    throw new DataError(
      at(firstEmpty),
      `the value is empty; fill it in (for example with "unknown") or list "${name}" under exclude`,
    );
  }
  if (overflow || distinct.size > maxCategories) {
    const count = overflow ? `more than ${distinct.size}` : `${distinct.size}`;
    throw new DataError(
      { source: t.source, column: name },
      `the column has ${count} distinct text values, more than the ${maxCategories} allowed for a category; ` +
        `drop it (list "${name}" under exclude) or bucket its values into at most ${maxCategories} groups`,
    );
  }
  return { name, kind: 'categorical', categories: sortedStrings(distinct.keys()) };
}
