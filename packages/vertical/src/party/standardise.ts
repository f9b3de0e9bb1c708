/**
 * A party's standardisation of its own feature columns: mean and population standard deviation over its training
 * rows (a constant column gets sd 1), kept in its model and applied to every row it scores.
 */

/** Per feature, in column order. Plain numbers so that a model stays JSON. */
export interface ColumnStandardisation {
  readonly mean: readonly number[];
  readonly sd: readonly number[];
}

/** Mean and sd of each column over `rows` (indices into the columns). */
export function fitStandardisation(columns: readonly Float64Array[], rows: Uint32Array): ColumnStandardisation {
  if (rows.length === 0) throw new RangeError('standardisation needs at least one row');
  const mean: number[] = [];
  const sd: number[] = [];
  for (const column of columns) {
    let sum = 0;
    for (const r of rows) sum += column[r]!;
    const mu = sum / rows.length;
    let squares = 0;
    for (const r of rows) squares += (column[r]! - mu) ** 2;
    const s = Math.sqrt(squares / rows.length);
    mean.push(mu);
    sd.push(s > 0 && Number.isFinite(s) ? s : 1);
  }
  return { mean, sd };
}

/** (x - mean) / sd of each column, taking `rows` in the given order (all rows in order when absent). */
export function applyStandardisation(
  columns: readonly Float64Array[],
  s: ColumnStandardisation,
  rows?: Uint32Array,
): Float64Array[] {
  if (columns.length !== s.mean.length)
    throw new RangeError(`standardisation has ${s.mean.length} features, the table ${columns.length}`);
  return columns.map((column, j) => {
    const mu = s.mean[j]!;
    const sd = s.sd[j]!;
    if (!rows) return column.map((x) => (x - mu) / sd);
    return Float64Array.from(rows, (r) => (column[r]! - mu) / sd);
  });
}

/** Column-major columns as a row-major matrix (the layout of the VLR states). */
export function rowMajor(columns: readonly Float64Array[]): { x: Float64Array; n: number; d: number } {
  const d = columns.length;
  const n = columns[0]?.length ?? 0;
  const x = new Float64Array(n * d);
  columns.forEach((column, j) => {
    for (let i = 0; i < n; i++) x[i * d + j] = column[i]!;
  });
  return { x, n, d };
}
