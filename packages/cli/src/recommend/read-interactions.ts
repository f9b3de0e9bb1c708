// A merchant's interactions, read for local scoring: any data set source the participant serves (CSV, Parquet,
// SQLite, PostgreSQL), through the local engine, a batch at a time.
import { DataError } from '@tessera/data';
import type { SourceSpec } from '@tessera/engine';
import type { InteractionRow, ItemCatalogue } from '@tessera/recommend';
import type { DatasetLocation } from '../dataset-flag.js';
import type { RecommendModelColumns } from './model-file.js';

export interface ReadInteractions {
  rows: InteractionRow[];
  /** Rows read from the source. */
  read: number;
  /** Rows skipped because their item is not in the model's catalogue. */
  unknownItems: number;
  /** A few of the skipped item ids, for the message. */
  unknownExamples: string[];
  source: string;
}

/**
 * A number cell (as the participant reads it in training: an empty cell is an error), or for a timestamp an ISO 8601
 * date (and time).
 */
function numberCell(cell: string, at: () => DataError, date: boolean): number {
  const text = cell.trim();
  if (text === '') throw at();
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  // ISO dates only: V8's Date.parse reads much else as a date (even "customer-1").
  if (date && /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/.test(text)) {
    const t = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(t)) return t;
  }
  throw at();
}

/**
 * Reads the model's columns from `location` into interaction rows; rows whose item is outside `catalogue` are
 * skipped and counted. Errors name the source, the row and the column.
 */
export async function readInteractions(
  location: DatasetLocation,
  wanted: RecommendModelColumns,
  catalogue: ItemCatalogue,
  options: { optionalTimestamp?: boolean; onProgress?: (rows: number) => void } = {},
): Promise<ReadInteractions> {
  const { LocalEngine, sourceLabel } = await import('@tessera/engine');
  const spec = location as SourceSpec;
  const source = sourceLabel(spec);
  let columns = wanted;
  let names: string[] = [];
  const engine = await LocalEngine.open({ threads: 2 });
  const rows: InteractionRow[] = [];
  let read = 0;
  let unknownItems = 0;
  const unknownExamples: string[] = [];
  try {
    const described = await engine.register('interactions', spec);
    const have = new Set(described.columns.map((c) => c.name));
    if (options.optionalTimestamp && wanted.timestamp !== undefined && !have.has(wanted.timestamp)) {
      const { timestamp: _, ...rest } = wanted;
      columns = rest;
    }
    names = [columns.customer, columns.item, columns.count, columns.rating, columns.timestamp].filter(
      (c): c is string => c !== undefined,
    );
    for (const name of names)
      if (!have.has(name)) {
        const role = Object.entries(columns).find(([, v]) => v === name)?.[0] ?? 'a';
        throw new DataError(
          { source },
          `there is no ${role} column "${name}"; the columns are: ${[...have].join(', ')}. ` +
            `Name the right one with --${role}-column`,
        );
      }
    const at = (r: number, column: string, problem: string) =>
      new DataError({ source, line: r + 1, column, lineName: 'row' }, problem);
    for await (const batch of engine.batches('interactions', names)) {
      for (const cells of batch.rows) {
        const r = read++;
        // Ids as they are (not trimmed), as the participant reads them in training.
        const row: InteractionRow = { customer: cells[0]!, item: cells[1]! };
        if (row.customer === '') throw at(r, columns.customer, 'the customer id is empty; fill it in or drop the row');
        if (!catalogue.index.has(row.item)) {
          unknownItems++;
          if (unknownExamples.length < 3 && !unknownExamples.includes(row.item)) unknownExamples.push(row.item);
          continue;
        }
        let p = 2;
        for (const field of ['count', 'rating', 'timestamp'] as const) {
          const column = columns[field];
          if (column === undefined) continue;
          const cell = cells[p++]!;
          const value = numberCell(
            cell,
            () =>
              at(
                r,
                column,
                `${JSON.stringify(cell)} is not a ${field === 'timestamp' ? 'number or date' : 'number'}; fix it`,
              ),
            field === 'timestamp',
          );
          if (field !== 'timestamp' && !(value > 0))
            throw at(r, column, `${field} ${value} is not a positive number; fix it or drop the row`);
          row[field] = value;
        }
        rows.push(row);
      }
      options.onProgress?.(read);
    }
  } finally {
    await engine.close();
  }
  return { rows, read, unknownItems, unknownExamples, source };
}
