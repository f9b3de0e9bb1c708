// The digits data set (examples/data/digits.csv: 1797 rows, 64 pixels 0-16, class 0-9), standardised column by
// column, for the local-training benchmark.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabeledData } from '@tessera/ml';

/** From bench/src/ml or bench/dist/ml, the repository's examples/data/digits.csv. */
export const DIGITS_CSV = fileURLToPath(new URL('../../../examples/data/digits.csv', import.meta.url));

export function loadDigits(path = DIGITS_CSV): LabeledData {
  const [, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const rows = lines.map((l) => l.split(',').map(Number));
  const n = rows.length;
  const d = (rows[0]?.length ?? 1) - 1;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  rows.forEach((r, i) => {
    x.set(r.slice(0, d), i * d);
    y[i] = r[d] ?? Number.NaN;
  });
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * d + j]!;
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (x[i * d + j]! - mean) ** 2;
    const std = Math.sqrt(squares / n) || 1; // a constant column (the digits' corner pixels) stays 0
    for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j]! - mean) / std;
  }
  return { x, y, n, d };
}

/** Share of rows whose highest predicted probability (row-major n × k) is the label. */
export function argmaxAccuracy(probabilities: ArrayLike<number>, data: LabeledData): number {
  const k = probabilities.length / data.n;
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c]! > probabilities[i * k + best]!) best = c;
    if (best === data.y[i]) right++;
  }
  return right / data.n;
}
