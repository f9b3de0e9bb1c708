// The synthetic merchants' world: categories with their price levels and return rates, regions and sales channels,
// each with the share of orders it draws. Shares in each list sum to 1.

export interface Category {
  name: string;
  /** Share of order lines in this category. */
  share: number;
  /** Typical unit price (a product's price is this level times a log-normal factor). */
  level: number;
  /** Return rate at the typical price, through the website. */
  returns: number;
  /** Chance that one more unit is bought (quantity is 1 + a geometric count with this ratio). */
  more: number;
}

export const CATEGORIES: readonly Category[] = [
  { name: 'groceries', share: 0.18, level: 6, returns: 0.01, more: 0.45 },
  { name: 'household', share: 0.12, level: 12, returns: 0.02, more: 0.35 },
  { name: 'clothing', share: 0.13, level: 35, returns: 0.18, more: 0.25 },
  { name: 'beauty', share: 0.08, level: 22, returns: 0.04, more: 0.25 },
  { name: 'electronics', share: 0.07, level: 160, returns: 0.08, more: 0.05 },
  { name: 'home', share: 0.08, level: 55, returns: 0.06, more: 0.15 },
  { name: 'sports', share: 0.06, level: 45, returns: 0.07, more: 0.15 },
  { name: 'toys', share: 0.06, level: 25, returns: 0.05, more: 0.25 },
  { name: 'books', share: 0.06, level: 15, returns: 0.03, more: 0.2 },
  { name: 'shoes', share: 0.06, level: 70, returns: 0.16, more: 0.05 },
  { name: 'garden', share: 0.05, level: 30, returns: 0.04, more: 0.2 },
  { name: 'jewellery', share: 0.05, level: 120, returns: 0.07, more: 0.05 },
];

/** Regions, each customer living in one. */
export const REGIONS = [
  { name: 'north', share: 0.22 },
  { name: 'south', share: 0.2 },
  { name: 'east', share: 0.24 },
  { name: 'west', share: 0.18 },
  { name: 'central', share: 0.16 },
] as const;

/** Sales channels; `returns` scales the category's return rate (store purchases are returned less often). */
export const CHANNELS = [
  { name: 'web', share: 0.45, returns: 1.2 },
  { name: 'app', share: 0.35, returns: 1 },
  { name: 'store', share: 0.2, returns: 0.5 },
] as const;

/** Products per category (their popularity falls off with rank). */
export const PRODUCTS_PER_CATEGORY = 250;

/** The first day of the order history and its length (two years: 2024 and 2025). */
export const FIRST_DAY = '2024-01-01';
export const DAYS = 731;
