/** Fixed facts of the synthetic e-commerce world shared by all merchants. */

export const REGIONS = ['north', 'south', 'east', 'west', 'central'] as const;

/** Logit effect of a customer's region on repurchase. */
export const REGION_EFFECT: readonly number[] = [0.1, -0.15, 0, 0.2, -0.15];

export interface Category {
  name: string;
  /** Typical basket value at price level 1. */
  basket: number;
  /** Share of ordered items sent back. */
  returnRate: number;
  /** Logit effect on repurchase (everyday goods are re-bought, durables less so). */
  repurchase: number;
}

export const CATEGORIES: readonly Category[] = [
  { name: 'electronics', basket: 180, returnRate: 0.06, repurchase: -0.6 },
  { name: 'fashion', basket: 60, returnRate: 0.2, repurchase: 0.1 },
  { name: 'grocery', basket: 35, returnRate: 0.01, repurchase: 0.7 },
  { name: 'home', basket: 90, returnRate: 0.08, repurchase: -0.3 },
  { name: 'beauty', basket: 40, returnRate: 0.05, repurchase: 0.35 },
  { name: 'books', basket: 25, returnRate: 0.03, repurchase: 0 },
];

export const COMMERCE_COLUMNS = [
  'customer_id',
  'merchant',
  'region',
  'favourite_category',
  'recency_days',
  'frequency_orders',
  'monetary_total',
  'avg_basket',
  'discount_share',
  'returns',
  'tenure_days',
  'repurchase',
];
