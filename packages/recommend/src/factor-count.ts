import type { Interactions } from './interactions.js';

/**
 * Refuses a number of latent factors the data cannot support: k must be a positive integer below both the
 * catalogue's item count and the number of customers (pooled over merchants when several tables are given).
 */
export function checkFactorCount(k: number, tables: readonly Interactions[]): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k = ${k} is not a positive integer; choose e.g. k = 16`);
  const items = tables[0]?.catalogue.ids.length ?? 0;
  const customers = tables.reduce((n, t) => n + t.customerIds.length, 0);
  if (k >= items) {
    throw new RangeError(`k = ${k} is too large for the data: the catalogue has ${items} items; choose k < ${items}`);
  }
  if (k >= customers) {
    throw new RangeError(
      `k = ${k} is too large for the data: there are ${customers} customers; choose k < ${customers}`,
    );
  }
}
