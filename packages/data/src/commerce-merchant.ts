import type { Random } from '@tessera/crypto';
import { CATEGORIES, REGIONS } from './commerce-catalog.js';
import { dirichletSample } from './dirichlet.js';

/** What makes one synthetic merchant's customers different from another's. */
export interface MerchantProfile {
  id: string;
  regionWeights: Float64Array;
  categoryWeights: Float64Array;
  /** Multiplies basket values (budget vs premium shop). */
  priceLevel: number;
  /** Logit shift of how much of a customer's spending is discounted. */
  discountBias: number;
  /** Mean of the customers' latent engagement. */
  engagement: number;
  /** Logit of repurchase for an average customer: the merchant's base rate. */
  baseLogit: number;
  /** How strongly discounts drive repurchase here (differs in sign across merchants). */
  discountEffect: number;
}

/** Merchant profiles m1..mK; base rates are spread evenly (in shuffled order) so they always differ. */
export function drawMerchants(count: number, rng: Random): MerchantProfile[] {
  const ranks = Array.from({ length: count }, (_, i) => i);
  rng.shuffle(ranks);
  return ranks.map((rank, k) => ({
    id: `m${k + 1}`,
    regionWeights: dirichletSample(1.5, REGIONS.length, rng),
    categoryWeights: dirichletSample(0.6, CATEGORIES.length, rng),
    priceLevel: Math.exp(0.35 * rng.gaussian()),
    discountBias: 0.8 * rng.gaussian(),
    engagement: 0.4 * rng.gaussian(),
    baseLogit: (count === 1 ? -0.3 : -1.4 + (2.2 * rank) / (count - 1)) + 0.15 * rng.gaussian(),
    discountEffect: 2 * rng.gaussian(),
  }));
}
