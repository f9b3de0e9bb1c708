// A recommend job's interactions, read from the node's data set: only the columns the signed spec names.
import { DataError } from '@tessera/data';
import type { RecommendColumns } from '@tessera/jobs';
import type { InteractionRow } from '@tessera/recommend';
import type { LocalData } from '../local-data.js';

/** The rows of a data set as interaction rows, and how many rows were read. */
export interface InteractionRows {
  rows: InteractionRow[];
  /** Names the data set in errors: `data set "orders"`. */
  source: string;
}

type Field = keyof RecommendColumns;
const FIELDS: readonly Field[] = ['customer', 'item', 'count', 'rating', 'timestamp'];

/**
 * Reads the spec's columns (customer, item, and the count, rating or timestamp it names) of `dataset`: from the
 * JavaScript table within the node's cell budget, else streamed through the local engine, those columns only. A
 * column the data set does not serve (missing, dropped by the consent policy or excluded) is a DataError naming it;
 * a count, rating or timestamp cell that is not a number (a timestamp may also be a date) names its row and column.
 * `specField` names a column's field in the job spec (default `columns.<field>`, the recommend spec's).
 */
export async function readInteractionRows(
  data: LocalData,
  dataset: string,
  columns: RecommendColumns,
  specField: (field: Field) => string = (field) => `columns.${field}`,
): Promise<InteractionRows> {
  const source = `data set "${dataset}"`;
  const named = FIELDS.flatMap((f) => (columns[f] === undefined ? [] : [[f, columns[f]!] as const]));
  const served = data.servedColumns(dataset);
  for (const [field, name] of named)
    if (!served.includes(name))
      throw new DataError(
        { source, column: name },
        `the job spec's ${specField(field)} names "${name}", which this data set does not serve ` +
          `(its columns: ${served.join(', ')}); the analyst can name another column`,
      );
  const rows: InteractionRow[] = [];
  const add = (cells: readonly string[], at: readonly number[], row: number) => {
    const r: InteractionRow = { customer: cells[at[0]!] ?? '', item: cells[at[1]!] ?? '' };
    named.slice(2).forEach(([field, name], j) => {
      const text = cells[at[j + 2]!] ?? '';
      (r as unknown as Record<string, number>)[field] = numberOf(text, field, { source, row, column: name });
    });
    rows.push(r);
  };
  const names = named.map(([, name]) => name);
  if (data.inMemory(dataset)) {
    const t = data.table(dataset);
    const at = names.map((n) => t.columns.indexOf(n));
    t.rows.forEach((cells, i) => {
      add(cells, at, i + 1);
    });
  } else {
    for await (const batch of data.batches(dataset, names)) {
      const at = names.map((n) => batch.columns.indexOf(n));
      batch.rows.forEach((cells, i) => {
        add(cells, at, batch.first + i + 1);
      });
    }
  }
  return { rows, source };
}

/** A count or rating cell as a number; a timestamp cell as a number or, failing that, a date (epoch milliseconds). */
function numberOf(text: string, field: Field, at: { source: string; row: number; column: string }): number {
  const trimmed = text.trim();
  const n = trimmed === '' ? Number.NaN : Number(trimmed);
  if (Number.isFinite(n)) return n;
  const date = field === 'timestamp' && trimmed !== '' ? Date.parse(trimmed) : Number.NaN;
  if (Number.isFinite(date)) return date;
  throw new DataError(
    { source: at.source, line: at.row, lineName: 'row', column: at.column },
    `${field} ${JSON.stringify(text)} is not a number${field === 'timestamp' ? ' or a date' : ''}; ` +
      'fix it or drop the row',
  );
}
