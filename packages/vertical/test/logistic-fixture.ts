// Breast cancer split by columns for the vertical LR tests: guest = first 10 features and the label, host = the other
// 20, on an 80% overlap of the rows (aligned), each party standardising its own columns over the overlap.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom, type LabeledData, type Matrix } from '@tessera/ml';

const CSV = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

export interface VerticalSplit {
  readonly guestTrain: LabeledData;
  readonly hostTrain: Matrix;
  readonly guestTest: LabeledData;
  readonly hostTest: Matrix;
}

function columns(rows: readonly number[][], from: number, to: number, order: ArrayLike<number>): Matrix {
  const d = to - from;
  const x = new Float64Array(order.length * d);
  for (let i = 0; i < order.length; i++) x.set(rows[order[i]!]!.slice(from, to), i * d);
  return { x, n: order.length, d };
}

/** Standardises `m` in place with the mean and standard deviation of its first `fitRows` rows. */
function standardiseOn(m: Matrix, fitRows: number): void {
  for (let j = 0; j < m.d; j++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < fitRows; i++) sum += m.x[i * m.d + j]!;
    const mean = sum / fitRows;
    for (let i = 0; i < fitRows; i++) squares += (m.x[i * m.d + j]! - mean) ** 2;
    const sd = Math.sqrt(squares / fitRows) || 1;
    for (let i = 0; i < m.n; i++) m.x[i * m.d + j] = (m.x[i * m.d + j]! - mean) / sd;
  }
}

/** The overlap (80% of rows, seeded) split 80/20 into training and test rows; guest columns 0..9, host 10..29. */
export function breastCancerVertical(seed = 'vertical-lr'): VerticalSplit {
  const lines = readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const label = header.indexOf('benign');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const order = new Uint32Array(rows.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  seededRandom(seed).shuffle(order);
  const overlap = order.subarray(0, Math.round(0.8 * rows.length));
  const train = Math.round(0.8 * overlap.length);
  const guest = columns(rows, 0, 10, overlap);
  const host = columns(rows, 10, 30, overlap);
  standardiseOn(guest, train);
  standardiseOn(host, train);
  const y = Float64Array.from(overlap, (r) => rows[r]![label]!);
  const part = (m: Matrix, from: number, to: number): Matrix => ({
    x: m.x.slice(from * m.d, to * m.d),
    n: to - from,
    d: m.d,
  });
  return {
    guestTrain: { ...part(guest, 0, train), y: y.slice(0, train) },
    hostTrain: part(host, 0, train),
    guestTest: { ...part(guest, train, overlap.length), y: y.slice(train) },
    hostTest: part(host, train, overlap.length),
  };
}

/** Rows side by side: the guest's columns then each host's. */
export function joined(guest: LabeledData, hosts: readonly Matrix[]): LabeledData {
  const d = guest.d + hosts.reduce((a, h) => a + h.d, 0);
  const x = new Float64Array(guest.n * d);
  for (let i = 0; i < guest.n; i++) {
    let at = i * d;
    x.set(guest.x.subarray(i * guest.d, (i + 1) * guest.d), at);
    at += guest.d;
    for (const h of hosts) {
      x.set(h.x.subarray(i * h.d, (i + 1) * h.d), at);
      at += h.d;
    }
  }
  return { x, n: guest.n, d, y: guest.y };
}
