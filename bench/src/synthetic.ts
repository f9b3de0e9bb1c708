import { mkdirSync, writeFileSync } from 'node:fs';
import type { BenchLayout } from '@tessera/cli/bench-api';
import { join } from 'node:path';
import { DEFAULT_MAX_CATEGORIES, toCsv, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';

export const BENCH_DATASET = 'bench';
export const BENCH_LABEL = 'label';

/**
 * How the d - 1 encoded features are laid out in the raw table:
 * - numeric: d - 1 numeric columns (one feature each);
 * - onehot: about (d - 1) / 32 categorical columns of up to 32 categories each, one-hot
 *   encoded into d - 1 features. Same vector length, 32 times fewer columns.
 */
export type { BenchLayout };

export interface ShardSpec {
  dimension: number;
  rows: number;
  /** This shard's index in [0, shards). */
  shard: number;
  /** Distinct shards in the federation (each served by at least one participant). */
  shards: number;
  layout: BenchLayout;
}

/** Categories per one-hot column: at most 32 (the profile's limit), and no more than the federation's rows can show. */
export const categoriesPerColumn = (s: Pick<ShardSpec, 'rows' | 'shards'>) =>
  Math.max(2, Math.min(DEFAULT_MAX_CATEGORIES, s.rows * s.shards));

/** Raw columns besides the label that a layout needs for a model of length `dimension`. */
export function rawFeatureColumns(s: Pick<ShardSpec, 'dimension' | 'rows' | 'shards' | 'layout'>): number {
  return s.layout === 'numeric' ? s.dimension - 1 : Math.ceil((s.dimension - 1) / categoriesPerColumn(s));
}

/**
 * One participant's small table whose agreed encoding has exactly `dimension - 1` features, so
 * that the logistic model (features + bias) has `dimension` weights: the vector length the
 * benchmark is about. Labels alternate so both classes appear in every split. Numeric features
 * are Gaussian, shifted by the label; in the one-hot layout, row r of shard s takes category
 * (s * rows + r + j) mod k in column j, so that the shards together show every category.
 */
export function benchTable(s: ShardSpec): RawTable {
  const { dimension, rows, shard, layout } = s;
  if (!Number.isInteger(dimension) || dimension < 2)
    throw new RangeError(`dimension must be an integer >= 2, got ${dimension}`);
  const features = dimension - 1;
  const columnsCount = rawFeatureColumns(s);
  const perColumn = categoriesPerColumn(s);
  const rng = seededRandom(`tessera-bench/${dimension}/${shard}`);
  const prefix = layout === 'numeric' ? 'f' : 'g';
  const columns = [...Array.from({ length: columnsCount }, (_, j) => `${prefix}${j + 1}`), BENCH_LABEL];
  const body: string[][] = [];
  for (let r = 0; r < rows; r++) {
    const y = r % 2;
    const row = new Array<string>(columnsCount + 1);
    for (let j = 0; j < columnsCount; j++) {
      if (layout === 'numeric') row[j] = (rng.gaussian() + (y ? 0.25 : -0.25)).toFixed(3);
      else {
        const k = j === columnsCount - 1 ? features - perColumn * (columnsCount - 1) : perColumn;
        row[j] = `c${(shard * rows + r + j) % k}`;
      }
    }
    row[columnsCount] = String(y);
    body.push(row);
  }
  return { source: `bench-shard-${shard + 1}`, columns, rows: body, lineOf: (i) => i + 2 };
}

/**
 * Writes the federation's distinct shards as CSV files; returns their paths. Participants are dealt shards round-robin.
 */
export function writeShards(dir: string, o: Omit<ShardSpec, 'shard'>): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: o.shards }, (_, shard) => {
    const path = join(dir, `shard-${shard + 1}.csv`);
    writeFileSync(path, toCsv(benchTable({ ...o, shard })));
    return path;
  });
}
