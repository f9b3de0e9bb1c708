import { seededRandom, type Random } from '@tessera/crypto';
import type { RawTable } from '@tessera/data';

export const REGIONS = ['north', 'south', 'east', 'west'];
export const CATEGORIES = ['books', 'toys', 'food', 'garden', 'tools'];

export function table(columns: string[], rows: string[][], source = 'test.csv'): RawTable {
  return { source, columns, rows, lineOf: (i) => i + 2 };
}

/**
 * Orders: region, category, order_date, order_value (2 decimals, some empty/NA/text), basket (integer), sku (Zipf-ish).
 */
export function orders(n: number, seed: string | number): RawTable {
  const rng = seededRandom(`analytics-test/${seed}`);
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const region = REGIONS[rng.int(REGIONS.length)];
    const category = rng.float() < 0.02 ? 'other' : CATEGORIES[rng.int(CATEGORIES.length)];
    const day = 1 + rng.int(28);
    const month = 1 + rng.int(6);
    const date = `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const r = rng.float();
    // Values up to ~6000 so that some are clamped by the 0:5000 bounds; a few negative (refunds) clamped at 0.
    let value: string;
    if (r < 0.03) value = '';
    else if (r < 0.05) value = 'NA';
    else if (r < 0.06) value = 'n/a';
    else if (r < 0.07) value = (-rng.int(5000) / 100).toFixed(2);
    else value = (Math.round((region === 'north' ? 2000 : 800) * -Math.log(1 - rng.float()) * 100) / 100).toFixed(2);
    const basket = String(1 + rng.int(region === 'east' ? 12 : 6));
    rows.push([region, category, date, value, basket]);
  }
  return table(['region', 'category', 'order_date', 'order_value', 'basket'], rows);
}

/** Splits rows IID (round-robin after a shuffle) or non-IID (by region: each part gets mostly one region). */
export function split(t: RawTable, parts: number, how: 'iid' | 'by-region' | 'uneven', rng: Random): RawTable[] {
  const buckets: string[][][] = Array.from({ length: parts }, () => []);
  const idx = Array.from(t.rows.keys());
  rng.shuffle(idx);
  idx.forEach((i, k) => {
    const row = t.rows[i];
    let p: number;
    if (how === 'iid') p = k % parts;
    else if (how === 'by-region')
      p = Math.min(parts - 1, REGIONS.indexOf(row[0]) >= 0 ? REGIONS.indexOf(row[0]) % parts : 0);
    else p = Math.min(parts - 1, Math.floor(parts * rng.float() ** 3)); // heavily skewed sizes
    buckets[p].push(row);
  });
  return buckets.map((rows, i) => table(t.columns, rows, `part-${i}.csv`));
}

/** Standard normal deviates from node:crypto-based randomness (Box-Muller); a test simulation only. */
export function gaussian(rng: Random): number {
  return rng.gaussian();
}
