import type { Random } from '@tessera/crypto';
import type { Interactions } from './interactions.js';

/**
 * BPR's training triples (customer, seen item, unseen item), flat: every seen entry of every customer once, each
 * with `negatives` items drawn uniformly from those the customer has not seen (Rendle et al. 2009). Customers who
 * have seen the whole catalogue give none.
 */
export function sampleBprTriples(data: Interactions, rng: Random, negatives = 1): Uint32Array {
  const n = data.catalogue.ids.length;
  const out: number[] = [];
  for (let c = 0; c < data.customerIds.length; c++) {
    const from = data.offsets[c]!;
    const to = data.offsets[c + 1]!;
    if (to - from >= n) continue;
    for (let e = from; e < to; e++) {
      for (let s = 0; s < negatives; s++) {
        let j: number;
        do j = rng.int(n);
        while (seen(data.items, from, to, j));
        out.push(c, data.items[e]!, j);
      }
    }
  }
  return Uint32Array.from(out);
}

/** Whether the sorted items[from, to) hold `item` (binary search). */
export function seen(items: Uint32Array, from: number, to: number, item: number): boolean {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = items[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
