// The vertical demo's data: one CSV split by columns into a guest table (label and guest columns) and a host table
// (the other columns), with customer ids and a partial overlap of rows, plus the numbers the baselines train on.
import { basename } from 'node:path';
import { binaryLabel, numberValue, readCsvFile, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { UsageError } from '../../ui/errors.js';

/** How many non-label columns the guest takes when --guest-columns is not given. */
export const DEFAULT_GUEST_COLUMNS = 10;

export interface VerticalDataOptions {
  /** A CSV file with a header row. */
  data: string;
  /** The 0/1 label column (the guest's). */
  label: string;
  /** The guest's feature columns (default: the first DEFAULT_GUEST_COLUMNS non-label columns). */
  guestColumns?: readonly string[];
  /** Share of rows at both parties, in (0, 1]; the rest are split between the guest only and the host only. */
  overlap: number;
  /** Seeds which rows are shared and each side's row order. */
  seed: string;
}

/** The data as the demo deals it out: two tables for the nodes, and the whole table parsed for the baselines. */
export interface VerticalDemoData {
  description: string;
  idColumn: string;
  label: string;
  guestColumns: string[];
  hostColumns: string[];
  /** The guest's table: id, label (as 0/1), guest columns; rows in its own shuffled order. */
  guestTable: RawTable;
  /** The host's table: id, host columns; rows in its own shuffled order. */
  hostTable: RawTable;
  /** Every row's customer id (`customer-<data row>`), label and feature values, in file order. */
  ids: string[];
  labels: Float64Array;
  /** Column-major values of the guest's and the host's columns, all rows in file order. */
  guestValues: Float64Array[];
  hostValues: Float64Array[];
  /** Rows (file order indices) at both parties, at the guest only, at the host only. */
  shared: Uint32Array;
  guestOnly: number;
  hostOnly: number;
}

/** Reads and checks the CSV and splits it by columns and rows; refuses bad flags with a UsageError naming the fix. */
export function loadVerticalData(o: VerticalDataOptions): VerticalDemoData {
  if (!(o.overlap > 0 && o.overlap <= 1))
    throw new UsageError(
      `--overlap must be in (0, 1] (the share of customers both nodes hold, e.g. 0.8), got ${o.overlap}`,
    );
  const table = readCsvFile(o.data);
  const columns = table.columns;
  const file = basename(o.data);
  if (!columns.includes(o.label))
    throw new UsageError(
      `--label ${o.label}: ${file} has no such column; its columns are ${columns.join(', ')}. Name the 0/1 target ` +
        'column, e.g. --label benign',
    );
  const others = columns.filter((c) => c !== o.label);
  let guestColumns: string[];
  if (o.guestColumns) {
    if (o.guestColumns.length === 0)
      throw new UsageError('--guest-columns is empty; list at least one column, e.g. --guest-columns a,b,c');
    const dup = o.guestColumns.find((c, i) => o.guestColumns!.indexOf(c) !== i);
    if (dup !== undefined) throw new UsageError(`--guest-columns lists ${dup} twice; list each column once`);
    if (o.guestColumns.includes(o.label))
      throw new UsageError(
        `--guest-columns lists the label ${o.label}; the guest holds the label anyway, so list feature columns only`,
      );
    const missing = o.guestColumns.find((c) => !columns.includes(c));
    if (missing !== undefined)
      throw new UsageError(`--guest-columns: ${file} has no column ${missing}; its columns are ${columns.join(', ')}`);
    guestColumns = [...o.guestColumns];
  } else guestColumns = others.slice(0, DEFAULT_GUEST_COLUMNS);
  const hostColumns = others.filter((c) => !guestColumns.includes(c));
  if (hostColumns.length === 0)
    throw new UsageError(
      `no column is left for the host: ${file} has ${others.length} feature columns and the guest takes all of ` +
        'them; give --guest-columns fewer columns',
    );
  if (guestColumns.length === 0)
    throw new UsageError(`${file} has no feature column besides the label ${o.label}; the guest needs at least one`);
  const n = table.rows.length;
  const at = (c: string) => columns.indexOf(c);
  const li = at(o.label);
  const labels = new Float64Array(n);
  table.rows.forEach((r, i) => {
    const y = binaryLabel(r[li] ?? '');
    if (y === undefined)
      throw new UsageError(
        `--label ${o.label}: data row ${i + 1} of ${file} holds "${r[li] ?? ''}", not a 0/1 label ` +
          '(0/1, yes/no, true/false); a vertical demo needs a binary label',
      );
    labels[i] = y;
  });
  const values = (c: string): Float64Array => {
    const j = at(c);
    return Float64Array.from(table.rows, (r, i) => {
      const v = numberValue(r[j] ?? '');
      if (v === undefined || !Number.isFinite(v))
        throw new UsageError(
          `column ${c} of ${file} is not numeric (data row ${i + 1} holds "${r[j] ?? ''}"); vertical learning ` +
            `needs numeric features: leave it out of --guest-columns${
              guestColumns.includes(c) ? '' : ' and the host (by removing it from the file)'
            }, or fix the row`,
        );
      return v;
    });
  };
  const guestValues = guestColumns.map(values);
  const hostValues = hostColumns.map(values);
  if (n < 2) throw new UsageError(`${file} has ${n} data rows; a vertical demo needs many customers`);

  // Which rows go where: a seeded shuffle, the first `shared` at both, then half of the rest at each side alone.
  const rng = seededRandom(`${o.seed}/vertical-demo/rows`);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const sharedCount = Math.round(o.overlap * n);
  if (sharedCount < 1) throw new UsageError(`--overlap ${o.overlap} of ${n} rows shares no customer; raise --overlap`);
  const guestOnly = Math.floor((n - sharedCount) / 2);
  const hostOnly = n - sharedCount - guestOnly;
  const shared = order.slice(0, sharedCount);
  const guestRows = Uint32Array.from([...shared, ...order.subarray(sharedCount, sharedCount + guestOnly)]);
  const hostRows = Uint32Array.from([...shared, ...order.subarray(sharedCount + guestOnly)]);
  rng.shuffle(guestRows);
  rng.shuffle(hostRows);

  const taken = new Set(columns);
  let idColumn = 'customer_id';
  while (taken.has(idColumn)) idColumn = `${idColumn}_`;
  const ids = Array.from({ length: n }, (_, i) => `customer-${i + 1}`);
  const cells = (r: readonly string[], cs: readonly string[]) => cs.map((c) => (r[at(c)] ?? '').trim());
  const rawTable = (source: string, header: string[], rows: string[][]): RawTable => ({
    source,
    columns: header,
    rows,
    lineOf: (i) => i + 2,
  });
  const guestTable = rawTable(
    'guest',
    [idColumn, o.label, ...guestColumns],
    Array.from(guestRows, (i) => [ids[i]!, String(labels[i]), ...cells(table.rows[i]!, guestColumns)]),
  );
  const hostTable = rawTable(
    'host',
    [idColumn, ...hostColumns],
    Array.from(hostRows, (i) => [ids[i]!, ...cells(table.rows[i]!, hostColumns)]),
  );
  return {
    description: `${file} (${n} rows, ${guestColumns.length + hostColumns.length} feature columns)`,
    idColumn,
    label: o.label,
    guestColumns,
    hostColumns,
    guestTable,
    hostTable,
    ids,
    labels,
    guestValues,
    hostValues,
    shared,
    guestOnly,
    hostOnly,
  };
}
