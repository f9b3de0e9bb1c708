// A batch of scanned rows as a RawTable, so that the JavaScript path's encoders and checks apply to it unchanged.
import type { RawTable } from '@tessera/data';
import type { RowBatch } from '@tessera/engine';

/** The batch as a table; messages name a row by its 1-based position in the whole scan ("row N"). */
export function batchTable(source: string, batch: RowBatch): RawTable {
  const { first, rows } = batch;
  return {
    source,
    columns: batch.columns,
    rows,
    lineOf: (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= rows.length)
        throw new RangeError(`row index ${i} is outside the batch (0..${rows.length - 1})`);
      return first + i + 1;
    },
    lineName: 'row',
  };
}
