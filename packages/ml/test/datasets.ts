import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LabeledData, momentsOf, seededRandom, standardisationFrom, standardise, takeRows } from '../src/index.js';

/** One of the project's example tables (examples/data, target last) as features and labels. */
export function loadExample(name: 'breast_cancer' | 'wine' | 'digits' | 'diabetes'): LabeledData {
  const path = fileURLToPath(new URL(`../../../examples/data/${name}.csv`, import.meta.url));
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((line) => line.split(',').map(Number));
  const d = rows[0]!.length - 1;
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    x.set(row.slice(0, d), i * d);
    y[i] = row[d]!;
  });
  return { x, y, n: rows.length, d };
}

/** A seeded split into train (the first `fraction` of a shuffle) and test, features standardised on train. */
export function splitStandardised(
  data: LabeledData,
  seed: string,
  fraction = 0.8,
): { train: LabeledData; test: LabeledData } {
  const order = new Uint32Array(data.n);
  for (let i = 0; i < data.n; i++) order[i] = i;
  seededRandom(seed).shuffle(order);
  const cut = Math.round(data.n * fraction);
  const train = takeRows(data, order.subarray(0, cut));
  const test = takeRows(data, order.subarray(cut));
  const s = standardisationFrom(momentsOf(train));
  return {
    train: { ...standardise(train, s), y: train.y },
    test: { ...standardise(test, s), y: test.y },
  };
}
