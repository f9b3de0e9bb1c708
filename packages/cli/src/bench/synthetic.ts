import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';

export const BENCH_DATASET = 'bench';
export const BENCH_LABEL = 'label';

/**
 * A small table whose encoding has exactly `dimension - 1` numeric features, so that the
 * logistic model (features + bias) has `dimension` weights: the vector length the benchmark
 * is about. Labels alternate so both classes appear in every split; each feature is Gaussian,
 * shifted by the label so that training has something to learn.
 */
export function benchTable(dimension: number, rows: number, seed: string): RawTable {
  if (!Number.isInteger(dimension) || dimension < 2) throw new RangeError(`dimension must be an integer >= 2, got ${dimension}`);
  const features = dimension - 1;
  const rng = seededRandom(`tessera-bench/${seed}`);
  const columns = [...Array.from({ length: features }, (_, j) => `f${j + 1}`), BENCH_LABEL];
  const body: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const y = i % 2;
    const row = new Array<string>(features + 1);
    for (let j = 0; j < features; j++) row[j] = (rng.gaussian() + (y ? 0.25 : -0.25)).toFixed(3);
    row[features] = String(y);
    body.push(row);
  }
  return { source: `bench-${seed}`, columns, rows: body, lineOf: (r) => r + 2 };
}

/**
 * Writes `count` distinct shards (CSV files) of `rows` rows each for the given dimension;
 * returns their paths. Participants are dealt shards round-robin.
 */
export function writeShards(dir: string, dimension: number, rows: number, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, s) => {
    const path = join(dir, `shard-${s + 1}.csv`);
    writeFileSync(path, toCsv(benchTable(dimension, rows, `${dimension}/${s + 1}`)));
    return path;
  });
}
