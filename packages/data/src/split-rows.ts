import type { Random } from '@tessera/crypto';
import type { RawTable } from './raw-table.js';
import { splitByColumn } from './split-by-column.js';
import { splitDirichlet } from './split-dirichlet.js';
import { splitIid } from './split-iid.js';
import type { SplitSpec } from './split-spec.js';

export interface SplitOptions {
  /** Dirichlet splits: the fewest rows any part may get (default 10). */
  minRows?: number;
}

/**
 * Assigns the rows in `rowsSubset` (indices into `t`) to `parts` participants. The parts are disjoint, cover
 * the subset, and are each sorted ascending. `labels` is indexed by table row (e.g. `encodeTable(t, s).y`).
 */
export function splitRows(
  t: RawTable,
  rowsSubset: Uint32Array,
  labels: Float64Array,
  parts: number,
  spec: SplitSpec,
  rng: Random,
  opts: SplitOptions = {},
): Uint32Array[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a positive integer, got ${parts}`);
  checkSubset(t, rowsSubset);
  switch (spec.kind) {
    case 'iid':
      return splitIid(rowsSubset, parts, rng);
    case 'dirichlet': {
      if (labels.length !== t.rows.length) {
        throw new RangeError(
          `splitRows: ${labels.length} labels for a table of ${t.rows.length} rows; labels are indexed by table row`,
        );
      }
      return splitDirichlet(rowsSubset, labels, parts, spec.alpha, opts.minRows ?? 10, rng);
    }
    case 'by':
      return splitByColumn(t, rowsSubset, parts, spec.column);
  }
}

function checkSubset(t: RawTable, rows: Uint32Array): void {
  const seen = new Uint8Array(t.rows.length);
  for (const row of rows) {
    if (row >= t.rows.length)
      throw new RangeError(`splitRows: row index ${row} is outside the table (0..${t.rows.length - 1})`);
    if (seen[row]) throw new RangeError(`splitRows: row index ${row} appears twice in the subset`);
    seen[row] = 1;
  }
}
