import { seededRandom, type Random } from '@tessera/crypto';
import { CATEGORIES, COMMERCE_COLUMNS, REGIONS, REGION_EFFECT } from './commerce-catalog.js';
import { drawMerchants, type MerchantProfile } from './commerce-merchant.js';
import { lineLookup, type RawTable } from './raw-table.js';
import { binomial, clamp, pickWeighted, sigmoid } from './sampling.js';

export interface CommerceOptions {
  merchants: number;
  /** Customers of each merchant: one count for all, or one per merchant. */
  customersPerMerchant: number | number[];
  seed: string | number;
}

/**
 * Seeded synthetic customers of several merchants, non-IID: each merchant has its own mix of categories and
 * regions, price level, discounting, engagement, repurchase base rate and sensitivity to discounts. The label
 * `repurchase` (yes/no) follows a logistic model on log-scaled features with interactions and noise.
 * Each merchant's customers come from their own random stream, so changing one merchant's count leaves the
 * others' rows unchanged. Lines are numbered as in `toCsv` output (header = line 1).
 */
export function generateCommerce(opts: CommerceOptions): RawTable {
  const counts = customerCounts(opts);
  const merchants = drawMerchants(opts.merchants, seededRandom(`tessera/data/commerce/${opts.seed}/merchants`));
  const rows: string[][] = [];
  merchants.forEach((merchant, k) => {
    const rng = seededRandom(`tessera/data/commerce/${opts.seed}/customers/${merchant.id}`);
    const count = counts[k]!; // one count per merchant, checked by customerCounts
    for (let c = 0; c < count; c++) rows.push(drawCustomer(merchant, c, rng));
  });
  return {
    source: `synthetic commerce (seed ${opts.seed})`,
    columns: COMMERCE_COLUMNS.slice(),
    rows,
    lineOf: lineLookup(rows.map((_, i) => i + 2)),
  };
}

function customerCounts(opts: CommerceOptions): number[] {
  const { merchants, customersPerMerchant } = opts;
  if (!Number.isInteger(merchants) || merchants < 1)
    throw new RangeError(`merchants must be a positive integer, got ${merchants}`);
  const counts =
    typeof customersPerMerchant === 'number' ? Array(merchants).fill(customersPerMerchant) : customersPerMerchant;
  if (counts.length !== merchants) {
    throw new RangeError(
      `customersPerMerchant lists ${counts.length} counts for ${merchants} merchants; give one per merchant`,
    );
  }
  for (const n of counts) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`customer counts must be non-negative integers, got ${n}`);
  }
  return counts;
}

function drawCustomer(m: MerchantProfile, index: number, rng: Random): string[] {
  // The merchant's weights have one entry per region and per category, so the picked indices are in range.
  const region = pickWeighted(m.regionWeights, rng);
  const category = CATEGORIES[pickWeighted(m.categoryWeights, rng)]!;
  const tenure = 30 + rng.int(1471);
  const engagement = m.engagement + rng.gaussian();
  const tenureYears = tenure / 365;

  const frequency = Math.max(
    1,
    Math.round(Math.exp(0.9 + 0.55 * engagement + 0.3 * rng.gaussian()) * Math.sqrt(Math.min(1, tenureYears) + 0.2)),
  );
  const recency = clamp(Math.round(Math.exp(3.6 - 0.6 * engagement + 0.7 * rng.gaussian())), 1, tenure);
  const avgBasket = round2(category.basket * m.priceLevel * Math.exp(0.35 * rng.gaussian()));
  const monetary = round2(frequency * avgBasket * Math.exp(0.1 * rng.gaussian()));
  const discountShare = round2(sigmoid(-1 + m.discountBias + 0.8 * rng.gaussian()));
  const returns = binomial(frequency, clamp(category.returnRate * Math.exp(0.5 * rng.gaussian()), 0, 0.9), rng);

  const logRecency = Math.log1p(recency) - 3.6;
  const logFrequency = Math.log1p(frequency) - 1.2;
  const logit =
    m.baseLogit -
    1.1 * logRecency +
    1.0 * logFrequency +
    category.repurchase +
    REGION_EFFECT[region]! +
    m.discountEffect * (discountShare - 0.3) -
    2 * (returns / frequency) +
    0.25 * Math.log(tenureYears) +
    (category.name === 'grocery' ? 0.6 * logFrequency : 0) -
    0.5 * logRecency * (discountShare - 0.3) * 4 +
    0.5 * rng.gaussian();
  const repurchase = rng.float() < sigmoid(logit);

  return [
    `${m.id}-${String(index + 1).padStart(6, '0')}`,
    m.id,
    REGIONS[region]!,
    category.name,
    String(recency),
    String(frequency),
    monetary.toFixed(2),
    avgBasket.toFixed(2),
    discountShare.toFixed(2),
    String(returns),
    String(tenure),
    repurchase ? 'yes' : 'no',
  ];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
