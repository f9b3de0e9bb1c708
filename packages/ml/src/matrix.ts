/** A dense row-major matrix: row i occupies x[i*d, (i+1)*d). */
export interface Matrix {
  x: Float64Array;
  n: number;
  d: number;
}

/** A matrix with one binary label (0 or 1) per row. */
export interface LabeledData extends Matrix {
  y: Float64Array;
}

export function checkMatrix(m: Matrix): void {
  if (!Number.isInteger(m.n) || m.n < 0 || !Number.isInteger(m.d) || m.d < 0) {
    throw new RangeError(`matrix shape must be non-negative integers, got n=${m.n} d=${m.d}`);
  }
  if (m.x.length !== m.n * m.d) throw new RangeError(`matrix x has length ${m.x.length}, expected n*d = ${m.n * m.d}`);
}

export function checkLabeled(data: LabeledData): void {
  checkMatrix(data);
  if (data.y.length !== data.n) throw new RangeError(`labels have length ${data.y.length}, expected n = ${data.n}`);
}

/** Builds a matrix from nested rows (tests, examples); every row must have the same length. */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const x = new Float64Array(n * d);
  rows.forEach((row, i) => {
    if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
    x.set(row, i * d);
  });
  return { x, n, d };
}

/** The given rows of `data`, copied, in the given order. */
export function takeRows(data: LabeledData, rows: ArrayLike<number>): LabeledData {
  const { d } = data;
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!; // k < rows.length; r itself is checked below
    if (!Number.isInteger(r) || r < 0 || r >= data.n) throw new RangeError(`row ${r} is out of range [0, ${data.n})`);
    x.set(data.x.subarray(r * d, (r + 1) * d), k * d);
    y[k] = data.y[r]!;
  }
  return { x, y, n: rows.length, d };
}
