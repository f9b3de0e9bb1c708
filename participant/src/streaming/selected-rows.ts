// Differentially private releases over a large data set: the at most maxRecords rows with the smallest secret keys.
import { DataError, type RawTable } from '@tessera/data';
import type { RecordRandomness } from '@tessera/fl';
import { DEFAULT_CELL_BUDGET, type LocalData } from '../local-data.js';
import { BATCH_ROWS } from './encoded-batches.js';

export interface SelectedRows {
  /** The selected rows of `columns`, in scan order; a row's line is its 1-based scan position. */
  table: RawTable;
  /** The scan position of each row of `table`, ascending: selectRecords' answer on the whole data set. */
  used: number[];
}

/**
 * selectRecords (packages/fl) on a data set too large to read: the keys are drawn for every row in row order (as
 * selectRecords draws them), the `maxRecords` smallest kept in a bounded heap, then one scan collects those rows.
 * The selection must itself fit the cell budget, else a DataError names the data set and the budget.
 */
export async function selectedRows(
  data: LocalData,
  name: string,
  columns: string[],
  maxRecords: number,
  randomness: RecordRandomness,
): Promise<SelectedRows> {
  const d = data.describe(name);
  const n = d.rows;
  if (!Number.isInteger(maxRecords) || maxRecords < 1)
    throw new RangeError(`record selection: maxRecords must be an integer >= 1, got ${maxRecords}`);
  const k = Math.min(n, maxRecords);
  if (k * Math.max(1, columns.length) > DEFAULT_CELL_BUDGET) {
    throw new DataError(
      { source: d.source },
      `data set "${name}": a private release over ${k} of its ${n} rows (maxRecords ${maxRecords}) x ` +
        `${columns.length} columns is more than the ${DEFAULT_CELL_BUDGET} cells this node selects in memory; ` +
        `ask for a maxRecords of at most ${Math.floor(DEFAULT_CELL_BUDGET / Math.max(1, columns.length))}`,
    );
  }
  const used = n <= maxRecords ? Array.from({ length: n }, (_, i) => i) : smallestKeys(n, maxRecords, randomness);
  const rows: string[][] = [];
  let next = 0;
  for await (const batch of data.batches(name, columns, BATCH_ROWS)) {
    const end = batch.first + batch.rows.length;
    while (next < used.length && used[next]! < end) {
      rows.push(batch.rows[used[next]! - batch.first]!); // first <= used[next] < end
      next++;
    }
    if (next === used.length) break;
  }
  const table: RawTable = {
    source: d.source,
    columns,
    rows,
    lineOf: (i) => used[i]! + 1,
    lineName: 'row',
  };
  return { table, used };
}

/** The `m` indices of 0..n-1 with the smallest keys (ties to the lower index), ascending; keys drawn in order. */
function smallestKeys(n: number, m: number, randomness: RecordRandomness): number[] {
  // a max-heap of (key, index) by key then index: the root is the worst of the m best so far
  const keys = new Float64Array(m);
  const index = new Float64Array(m);
  let size = 0;
  const above = (a: number, b: number) => keys[a]! > keys[b]! || (keys[a] === keys[b] && index[a]! > index[b]!);
  const swap = (a: number, b: number) => {
    const k = keys[a]!;
    keys[a] = keys[b]!;
    keys[b] = k;
    const i = index[a]!;
    index[a] = index[b]!;
    index[b] = i;
  };
  for (let i = 0; i < n; i++) {
    const key = randomness.key(i);
    if (size < m) {
      keys[size] = key;
      index[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!above(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (key < keys[0]!) {
      // a later index never wins a tie against a kept one
      keys[0] = key;
      index[0] = i;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let top = p;
        if (l < size && above(l, top)) top = l;
        if (r < size && above(r, top)) top = r;
        if (top === p) break;
        swap(p, top);
        p = top;
      }
    }
  }
  return Array.from(index.subarray(0, size)).sort((a, b) => a - b);
}
