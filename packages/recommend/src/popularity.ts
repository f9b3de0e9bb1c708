import type { Scorer } from './evaluate.js';
import type { Interactions } from './interactions.js';

/**
 * Global popularity: for every catalogue item, how many customers (over all the tables) have it. Across
 * merchants this is a secure sum of each merchant's per-item customer counts.
 */
export function itemPopularity(tables: readonly Interactions[]): Float64Array {
  const counts = new Float64Array(tables[0]?.catalogue.ids.length ?? 0);
  for (const t of tables) for (const i of t.items) counts[i]! += 1;
  return counts;
}

/** Scores every customer's items by popularity alone. */
export function popularityScorer(popularity: Float64Array): Scorer {
  return (_customer, out) => out.set(popularity);
}
