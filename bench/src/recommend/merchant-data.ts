// A merchant's interactions at realistic size for the recommend benchmark (issue 22), generated directly:
// syntheticRecommendation draws every purchase against every item a customer's merchant sells (customers x items
// x kTrue work), too slow for 50,000 customers and 10^4 items. Here the planted structure is a few taste groups,
// each with its own purchase distribution over the catalogue (popularity + taste . embedding, as there), and a
// customer draws from its group's cumulative weights by binary search: O(groups x items + rows x log items).
import { type InteractionRow, type Random, itemCatalogue } from '@tessera/recommend';

export interface MerchantShape {
  customers: number;
  /** The catalogue's length: every item can be bought. */
  items: number;
  /** Mean purchases per customer (uniform between half and one and a half times it, at least 2). */
  interactionsPerCustomer: number;
  /** Taste groups (the planted structure). Default 32. */
  groups?: number;
  /** Customer ids are `${prefix}-${c}` (distinct prefixes keep merchants' customers apart). Default "customer". */
  prefix?: string;
}

const PLANTED_K = 4;
const TASTE_SCALE = 2;
const POPULARITY_SCALE = 1;

/** The catalogue's ids in the model's order: item-000000, item-000001, ... */
export function benchItemIds(items: number): string[] {
  return Array.from({ length: items }, (_, i) => `item-${String(i).padStart(6, '0')}`);
}

/**
 * The planted structure: every taste group's cumulative purchase weights over the catalogue (one Float64Array of
 * `items` per group). Merchants generated from the same tastes share the catalogue's structure.
 */
export function plantedTastes(items: number, groups: number, rng: Random): Float64Array[] {
  const embedding = Float64Array.from({ length: items * PLANTED_K }, () => rng.gaussian() / Math.sqrt(PLANTED_K));
  const popularity = Float64Array.from({ length: items }, () => POPULARITY_SCALE * rng.gaussian());
  return Array.from({ length: groups }, () => {
    const taste = Float64Array.from({ length: PLANTED_K }, () => TASTE_SCALE * rng.gaussian());
    const cumulative = new Float64Array(items);
    let total = 0;
    for (let i = 0; i < items; i++) {
      let z = popularity[i]!;
      for (let a = 0; a < PLANTED_K; a++) z += taste[a]! * embedding[i * PLANTED_K + a]!;
      total += Math.exp(z);
      cumulative[i] = total;
    }
    return cumulative;
  });
}

/** The first index whose cumulative weight exceeds r. */
function draw(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! <= r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The merchant's rows (customer, item, timestamp), customers in order, one purchase per time step; `tastes` from
 * plantedTastes (drawn here when not given).
 */
export function merchantRows(shape: MerchantShape, rng: Random, tastes?: Float64Array[]): InteractionRow[] {
  const groups = tastes ?? plantedTastes(shape.items, shape.groups ?? 32, rng);
  if (groups[0]?.length !== shape.items)
    throw new RangeError(`the tastes cover ${groups[0]?.length ?? 0} items, the merchant's catalogue ${shape.items}`);
  const ids = benchItemIds(shape.items);
  const prefix = shape.prefix ?? 'customer';
  const mean = shape.interactionsPerCustomer;
  const rows: InteractionRow[] = [];
  for (let c = 0; c < shape.customers; c++) {
    const cumulative = groups[rng.int(groups.length)]!;
    const total = cumulative[cumulative.length - 1]!;
    const n = Math.max(2, Math.round(mean / 2 + rng.float() * mean));
    let time = 0;
    for (let t = 0; t < n; t++) {
      time += 1 + rng.float();
      rows.push({ customer: `${prefix}-${c}`, item: ids[draw(cumulative, rng.float() * total)]!, timestamp: time });
    }
  }
  return rows;
}

/** The catalogue of `items` bench item ids. */
export const benchCatalogue = (items: number) => itemCatalogue(benchItemIds(items));
