/**
 * The plaintext GBDT reference for binary classification: logistic loss, quantile bins per feature, greedy
 * XGBoost splits (split.ts) grown by tree.ts. Deterministic. SecureBoost runs the same algorithm.
 */
import { binFeature, type BinnedFeature } from './binning.js';
import { boostConfig, type BoostConfig } from './config.js';
import { bestSplit, type Histogram } from './split.js';
import { baseMargin, growTreeSync, logisticGradients, walkTree, type Tree } from './tree.js';

/** A plaintext split: rows with x[feature] <= value go left. */
export interface FeatureSplit {
  readonly feature: number;
  readonly value: number;
}

export interface GbdtModel {
  readonly base: number;
  readonly trees: readonly Tree<FeatureSplit>[];
}

/** Per-bin gradient and hessian sums of `rows` for each binned feature. */
export function histograms(
  binned: readonly BinnedFeature[],
  rows: Uint32Array,
  g: ArrayLike<number>,
  h: ArrayLike<number>,
): Histogram[] {
  return binned.map((f) => {
    const hist = { g: new Float64Array(f.edges.length + 1), h: new Float64Array(f.edges.length + 1) };
    for (const r of rows) {
      const b = f.bins[r]!;
      hist.g[b]! += g[r]!;
      hist.h[b]! += h[r]!;
    }
    return hist;
  });
}

/** Rows of `rows` whose bin is at most `threshold`. */
export function rowsLeft(bins: Uint8Array, rows: Uint32Array, threshold: number): Uint32Array {
  return rows.filter((r) => bins[r]! <= threshold);
}

/** Trains on column-major `features` (one array per feature) and 0/1 `labels`. */
export function trainGbdt(
  features: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  partial: Partial<BoostConfig> = {},
): GbdtModel {
  const config = boostConfig(partial);
  const n = labels.length;
  for (const [j, f] of features.entries())
    if (f.length !== n) throw new Error(`features[${j}] has ${f.length} rows, labels has ${n}`);
  const binned = features.map((f) => binFeature(f, config.bins));
  const base = baseMargin(labels);
  const margin = new Float64Array(n).fill(base);
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const trees: Tree<FeatureSplit>[] = [];
  for (let t = 0; t < config.trees; t++) {
    const { g, h } = logisticGradients(margin, labels);
    const tree = growTreeSync<FeatureSplit>(all, g, h, config, (rows) => {
      const best = bestSplit(histograms(binned, rows, g, h), config.lambda, config.minChildWeight);
      if (!best) return undefined;
      const f = binned[best.feature]!;
      return {
        split: { feature: best.feature, value: f.edges[best.threshold]! },
        left: rowsLeft(f.bins, rows, best.threshold),
      };
    });
    trees.push(tree);
    for (let i = 0; i < n; i++) margin[i]! += walkTree(tree, (s) => features[s.feature]![i]! <= s.value);
  }
  return { base, trees };
}

/** Margins (log-odds) of the rows of column-major `features`. */
export function predictGbdt(model: GbdtModel, features: readonly ArrayLike<number>[]): Float64Array {
  const n = features[0]?.length ?? 0;
  const out = new Float64Array(n).fill(model.base);
  for (const tree of model.trees)
    for (let i = 0; i < n; i++) out[i]! += walkTree(tree, (s) => features[s.feature]![i]! <= s.value);
  return out;
}
