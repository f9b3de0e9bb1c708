/**
 * Hierarchical histogram for quantiles: a complete binary tree over `leaves` (a power of two >= the number of
 * bins) stored in heap order (node 0 is the root, node j has children 2j+1 and 2j+2, leaf i is node leaves-1+i).
 * Every node counts the records in its range, so a record increments one node per level.
 */

/** The heap indices of the nodes on the path from leaf `leaf` to the root. */
export function pathNodes(leaves: number, leaf: number, out: number[] = []): number[] {
  out.length = 0;
  let j = leaves - 1 + leaf;
  for (;;) {
    out.push(j);
    if (j === 0) return out;
    j = (j - 1) >> 1;
  }
}

/**
 * Consistency post-processing (Hay, Rastogi, Miklau, Suciu 2010, branching factor 2, equal noise per node):
 * weighted averaging bottom-up, then mean consistency top-down. The result is the least-squares estimate whose
 * children sum to their parent. Without noise it returns the counts unchanged.
 */
export function consistentTree(noisy: ArrayLike<number>, leaves: number): Float64Array {
  const n = 2 * leaves - 1;
  if (noisy.length < n) throw new RangeError(`a tree over ${leaves} leaves has ${n} nodes, got ${noisy.length} counts`);
  const z = new Float64Array(n);
  const height = new Int32Array(n);
  // Heap order over n nodes: the children 2j + 1 and 2j + 2 of an inner node j are below n.
  for (let j = n - 1; j >= 0; j--) {
    if (j >= leaves - 1) {
      z[j] = noisy[j]!;
      height[j] = 1;
      continue;
    }
    const i = height[2 * j + 1]! + 1;
    height[j] = i;
    const ki = 2 ** i;
    const a = (ki - ki / 2) / (ki - 1);
    const b = (ki / 2 - 1) / (ki - 1);
    z[j] = a * noisy[j]! + b * (z[2 * j + 1]! + z[2 * j + 2]!);
  }
  const h = new Float64Array(n);
  h[0] = z[0]!;
  for (let j = 0; j < leaves - 1; j++) {
    const l = 2 * j + 1;
    const r = 2 * j + 2;
    const zl = z[l]!,
      zr = z[r]!;
    const diff = (h[j]! - zl - zr) / 2;
    h[l] = zl + diff;
    h[r] = zr + diff;
  }
  return h;
}

export const QUANTILE_LEVELS = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

/** Quantiles from bin counts (negative counts read as 0), interpolating linearly within the bin. NaN when empty. */
export function quantilesFromBins(
  edges: number[],
  counts: ArrayLike<number>,
  qs: readonly number[] = QUANTILE_LEVELS,
): Array<{ q: number; value: number }> {
  const bins = edges.length - 1;
  if (bins < 1) throw new RangeError(`quantiles need at least two bin edges, got ${edges.length}`);
  if (counts.length < bins) throw new RangeError(`${bins} bins need ${bins} counts, got ${counts.length}`);
  const c = Array.from({ length: bins }, (_, i) => Math.max(0, counts[i]!));
  const total = c.reduce((a, b) => a + b, 0);
  return qs.map((q) => {
    if (!(total > 0)) return { q, value: NaN };
    const target = q * total;
    let cum = 0;
    // c has `bins` entries and edges bins + 1.
    for (let i = 0; i < bins; i++) {
      const ci = c[i]!;
      if (ci > 0 && cum + ci >= target) {
        const frac = Math.min(1, Math.max(0, (target - cum) / ci));
        const lo = edges[i]!;
        return { q, value: lo + frac * (edges[i + 1]! - lo) };
      }
      cum += ci;
    }
    return { q, value: edges[bins]! };
  });
}
