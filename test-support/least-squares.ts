// The closed-form baseline of the regression tests: ordinary least squares on pooled rows, scored on held-out rows.
import type { RawTable } from '@tessera/data';

/** Held-out R² of ordinary least squares (with an intercept, no regularisation) fitted to the pooled training rows. */
export function leastSquaresR2(train: readonly RawTable[], test: RawTable, label: string): number {
  const rowsOf = (t: RawTable) => {
    const li = t.columns.indexOf(label);
    return t.rows.map((r) => ({ x: [...r.filter((_, j) => j !== li).map(Number), 1], y: Number(r[li]) }));
  };
  const rows = train.flatMap(rowsOf);
  const d = rows[0]!.x.length;
  // The normal equations [XᵀX | Xᵀy], solved by Gauss-Jordan elimination with partial pivoting.
  const a = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  for (const { x, y } of rows)
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) a[i]![j]! += x[i]! * x[j]!;
      a[i]![d]! += x[i]! * y;
    }
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= d; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const w = a.map((row, i) => row[d]! / row[i]!);
  const held = rowsOf(test);
  const mean = held.reduce((s, r) => s + r.y, 0) / held.length;
  let sse = 0;
  let sst = 0;
  for (const { x, y } of held) {
    sse += (x.reduce((s, v, i) => s + v * w[i]!, 0) - y) ** 2;
    sst += (y - mean) ** 2;
  }
  return 1 - sse / sst;
}
