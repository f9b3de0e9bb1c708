import type { LeaveLastOut } from './leave-last-out.js';

/** Writes every catalogue item's score for one of the table's customers into `out` (higher ranks first). */
export type Scorer = (customer: number, out: Float64Array) => void;

/** Counts from ranking one table's held-out items; tallies of several tables add up (`rankingMetrics`). */
export interface RankingTally {
  customers: number;
  hits: number;
  ndcg: number;
  /** 1 for every item that appears in some customer's top list. */
  covered: Uint8Array;
}

export interface RankingMetrics {
  /** Hit rate: the share of evaluated customers whose held-out item is in their top list. */
  hr10: number;
  /** Mean 1 / log2(position + 2) of the held-out item within the top list (0 outside it). */
  ndcg10: number;
  /** The share of catalogue items in at least one top list. */
  coverage: number;
  customers: number;
}

/**
 * Full ranking: every customer with a held-out item ranks all catalogue items not in its training entries (the
 * held-out item among them), ties broken towards the lower item index, and the top `top` are kept.
 */
export function rankHeldOut(scorer: Scorer, split: LeaveLastOut, top = 10): RankingTally {
  const { train, heldOut } = split;
  const n = train.catalogue.ids.length;
  const scores = new Float64Array(n);
  const covered = new Uint8Array(n);
  const list = new Int32Array(top);
  let customers = 0;
  let hits = 0;
  let ndcg = 0;
  for (let c = 0; c < heldOut.length; c++) {
    const target = heldOut[c]!;
    if (target < 0) continue;
    scorer(c, scores);
    for (let e = train.offsets[c]!; e < train.offsets[c + 1]!; e++) scores[train.items[e]!] = Number.NEGATIVE_INFINITY;
    const size = topList(scores, list);
    customers++;
    for (let p = 0; p < size; p++) {
      covered[list[p]!] = 1;
      if (list[p] === target) {
        hits += 1;
        ndcg += 1 / Math.log2(p + 2);
      }
    }
  }
  return { customers, hits, ndcg, covered };
}

/** The indices of the largest finite scores, best first (lower index first on ties); returns how many. */
function topList(scores: Float64Array, list: Int32Array): number {
  let size = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s === Number.NEGATIVE_INFINITY) continue;
    if (size === list.length && !(s > scores[list[size - 1]!]!)) continue;
    let p = size < list.length ? size++ : size - 1;
    for (; p > 0 && s > scores[list[p - 1]!]!; p--) list[p] = list[p - 1]!;
    list[p] = i;
  }
  return size;
}

/** HR@10, NDCG@10 and coverage over the customers of all the tallies (e.g. every merchant's). */
export function rankingMetrics(tallies: readonly RankingTally[]): RankingMetrics {
  const customers = tallies.reduce((s, t) => s + t.customers, 0);
  const hits = tallies.reduce((s, t) => s + t.hits, 0);
  const ndcg = tallies.reduce((s, t) => s + t.ndcg, 0);
  const n = tallies[0]?.covered.length ?? 0;
  let covered = 0;
  for (let i = 0; i < n; i++) if (tallies.some((t) => t.covered[i] === 1)) covered++;
  return {
    hr10: customers > 0 ? hits / customers : 0,
    ndcg10: customers > 0 ? ndcg / customers : 0,
    coverage: n > 0 ? covered / n : 0,
    customers,
  };
}
