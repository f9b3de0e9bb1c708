/**
 * Quantile binning of one feature column: at most `bins` bins with edges at the column's quantiles. A value x
 * falls in bin b = the number of edges strictly below x, so "bin <= t" is the same as "x <= edges[t]".
 */
export interface BinnedFeature {
  /** Increasing thresholds; bins = edges.length + 1. */
  readonly edges: Float64Array;
  /** Bin of each row. */
  readonly bins: Uint8Array;
}

/** Quantile edges of `column` for at most `bins` bins (fewer when the column has fewer distinct values). */
export function quantileEdges(column: ArrayLike<number>, bins: number): Float64Array {
  const sorted = Float64Array.from(column).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    // An edge below the column's maximum, strictly above the previous edge.
    const e = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (e < sorted[sorted.length - 1]! && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** The bin of `x` for `edges`: the number of edges strictly below x (binary search). */
export function binOf(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bins one column with its own quantile edges. */
export function binFeature(column: ArrayLike<number>, bins: number): BinnedFeature {
  const edges = quantileEdges(column, bins);
  const out = new Uint8Array(column.length);
  for (let i = 0; i < column.length; i++) out[i] = binOf(column[i]!, edges);
  return { edges, bins: out };
}
