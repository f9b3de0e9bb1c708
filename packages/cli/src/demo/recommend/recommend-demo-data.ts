// The recommend demo's merchants: the synthetic federation with planted structure, as the merchants' CSV tables.
import type { RawTable } from '@tessera/data';
import { seededRandom, syntheticRecommendation, type SyntheticRecommendation } from '@tessera/recommend';

export const RECOMMEND_DEMO_COLUMNS = ['customer_id', 'item_id', 'timestamp'];

/** Each merchant's purchases (customer, item, time) from the seeded generator; the truth stays with the demo. */
export function recommendDemoData(merchants: number, seed: number): SyntheticRecommendation {
  return syntheticRecommendation({ merchants }, seededRandom(`tessera-recommend-demo/${seed}`));
}

/** A merchant's rows as the table its node serves (what `tessera demo data --recommend` writes as CSV). */
export function merchantTable(data: SyntheticRecommendation, m: number): RawTable {
  const rows = data.rows[m]!.map((r) => [r.customer, r.item, String(r.timestamp ?? 0)]);
  return { source: `merchant-${m + 1} orders`, columns: [...RECOMMEND_DEMO_COLUMNS], rows, lineOf: (i) => i + 2 };
}
