import { checkSameLength } from './check-pairs.js';

/**
 * ROC AUC as the Mann-Whitney U statistic: the probability that a random positive scores above a random
 * negative, ties counting one half (average ranks). NaN if either class is missing.
 */
export function auc(y: Float64Array, p: Float64Array): number {
  checkSameLength(y, p);
  const n = y.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(p[i])) throw new RangeError(`prediction ${i} is NaN`);
    order[i] = i;
  }
  // order is a permutation of 0..n-1, and p and y have n entries: every index below is in range.
  order.sort((a, b) => p[a]! - p[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let first = 0; first < n; ) {
    let last = first;
    while (last + 1 < n && p[order[last + 1]!] === p[order[first]!]) last++;
    const averageRank = (first + last) / 2 + 1;
    for (let k = first; k <= last; k++) {
      if (y[order[k]!]! > 0.5) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    first = last + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
