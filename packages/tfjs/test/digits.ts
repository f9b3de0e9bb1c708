// The digits data set of examples/data (1797 rows, 64 pixels, class 0-9), standardised column by column.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabeledData, Matrix } from '@tessera/ml';

export const DIGITS_CSV = fileURLToPath(new URL('../../../examples/data/digits.csv', import.meta.url));

export function loadDigits(): LabeledData {
  const [, ...lines] = readFileSync(DIGITS_CSV, 'utf8').trim().split('\n');
  const rows = lines.map((l) => l.split(',').map(Number));
  const d = rows[0]!.length - 1;
  const n = rows.length;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  rows.forEach((r, i) => {
    x.set(r.slice(0, d), i * d);
    y[i] = r[d]!;
  });
  for (let j = 0; j < d; j++) {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j]!;
    const mean = s / n;
    for (let i = 0; i < n; i++) ss += (x[i * d + j]! - mean) ** 2;
    const std = Math.sqrt(ss / n) || 1;
    for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j]! - mean) / std;
  }
  return { x, y, n, d };
}

/** Share of rows whose highest predicted probability is the label. */
export function argmaxAccuracy(probabilities: Float64Array, data: Matrix & { y: Float64Array }): number {
  const k = probabilities.length / data.n;
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c]! > probabilities[i * k + best]!) best = c;
    if (best === data.y[i]) right++;
  }
  return right / data.n;
}
