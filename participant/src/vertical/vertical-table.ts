// A vertical party's local table: its identifier column and numeric feature columns (and the guest's 0/1 label).
import { DataError } from '@tessera/data';
import type { VerticalParty } from '@tessera/jobs';
import { normaliseIdentifier } from '@tessera/psi';
import type { LocalData } from '../local-data.js';

/** The columns a party reads for a vertical job, in its own row order. */
export interface VerticalTable {
  readonly ids: string[];
  readonly featureNames: string[];
  readonly columns: Float64Array[];
  /** The guest's 0/1 labels; a host has none. */
  readonly labels?: Float64Array;
}

/**
 * Reads the party's data set: the id column (every row must have a distinct, non-empty identifier), the features
 * (the spec's list, or every served column but the id, the label and `exclude`; each a finite number in every row),
 * and on the guest the label (0 or 1, or false/true, no/yes). A host whose data holds a column named like the guest's
 * label is fine: it is not read unless listed as a feature. Throws DataError naming the data set, the line and the
 * column, never a cell's value.
 */
export function readVerticalTable(data: LocalData, party: VerticalParty, served: readonly string[]): VerticalTable {
  const table = data.table(party.dataset);
  const source = `data set "${party.dataset}"`;
  const at = (column: string, i?: number) => ({
    source,
    column,
    ...(i === undefined ? {} : { line: table.lineOf(i), lineName: table.lineName ?? 'line' }),
  });
  const index = (column: string, what: string): number => {
    const i = served.includes(column) ? table.columns.indexOf(column) : -1;
    if (i < 0)
      throw new DataError(
        { source, column },
        `has no ${what} column "${column}" that this node serves; the job's spec names it for ${party.participant}`,
      );
    return i;
  };
  const idAt = index(party.idColumn, 'identifier');
  const labelAt = party.label !== undefined ? index(party.label, 'label') : -1;
  const names =
    party.features ?? served.filter((c) => c !== party.idColumn && c !== party.label && !party.exclude.includes(c));
  if (names.length === 0)
    throw new DataError(
      { source },
      `leaves no feature column for ${party.participant} once the id and label are set aside`,
    );
  const featureAt = names.map((c) => index(c, 'feature'));
  const n = table.rows.length;
  const ids: string[] = new Array(n);
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = (table.rows[i]![idAt] ?? '').trim();
    if (id === '') throw new DataError(at(party.idColumn, i), 'has no identifier; every row needs one to be aligned');
    // Alignment compares identifiers as it normalises them (Unicode NFKC, spaces, case): so does this check.
    const key = normaliseIdentifier(id);
    const first = seen.get(key);
    if (first !== undefined)
      throw new DataError(
        at(party.idColumn, i),
        `repeats the identifier of ${table.lineName ?? 'line'} ${table.lineOf(first)}; identifiers must be unique ` +
          'per row (one row per customer) for the alignment to be exact',
      );
    seen.set(key, i);
    ids[i] = id;
  }
  const columns = featureAt.map((j, k) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = Number(table.rows[i]![j]);
      if ((table.rows[i]![j] ?? '').trim() === '' || !Number.isFinite(v))
        throw new DataError(
          at(names[k]!, i),
          'is not a number; vertical learning needs numeric features (list the column under exclude to leave it out)',
        );
      out[i] = v;
    }
    return out;
  });
  let labels: Float64Array | undefined;
  if (labelAt >= 0) {
    labels = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = binary(table.rows[i]![labelAt] ?? '');
      if (y === undefined)
        throw new DataError(at(party.label!, i), 'is not a 0/1 label (0, 1, false, true, no or yes)');
      labels[i] = y;
    }
  }
  return { ids, featureNames: [...names], columns, ...(labels ? { labels } : {}) };
}

function binary(cell: string): number | undefined {
  const v = cell.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes' || v === '1.0') return 1;
  if (v === '0' || v === 'false' || v === 'no' || v === '0.0') return 0;
  return undefined;
}
