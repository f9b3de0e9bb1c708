import { DataError } from '@tessera/data';
import type { ItemCatalogue } from './catalogue.js';

/** One row of a merchant's interactions table (a purchase, a view, a rating). */
export interface InteractionRow {
  customer: string;
  item: string;
  /** How many times (implicit feedback); summed over the customer's rows for the item. Default 1. */
  count?: number;
  /** An explicit rating; when given, the customer's latest rating of the item is its strength instead of a count. */
  rating?: number;
  /** When it happened (any increasing number, e.g. epoch milliseconds); leave-last-out holds out the latest. */
  timestamp?: number;
}

/**
 * A merchant's implicit feedback, one entry per distinct (customer, item) pair, grouped by customer
 * (compressed rows): customer c's entries are [offsets[c], offsets[c + 1]), items ascending.
 */
export interface Interactions {
  /** Names the table in error messages, e.g. "merchant-3 orders.csv". */
  readonly source: string;
  readonly catalogue: ItemCatalogue;
  readonly customerIds: readonly string[];
  readonly offsets: Uint32Array;
  readonly items: Uint32Array;
  /** The strength r_ui > 0: summed counts, or the latest rating. */
  readonly strengths: Float64Array;
  /** The latest timestamp of the pair, or the position of its latest row when the table has no timestamps. */
  readonly times: Float64Array;
}

export interface InteractionOptions {
  /** Names the table in errors. Default "interactions". */
  source?: string;
  /** Rows whose item is outside the catalogue: refused (default, for a declared catalogue) or skipped. */
  unknownItems?: 'refuse' | 'skip';
}

/** Validates and groups a merchant's rows; errors name the source, the 1-based row and the field. */
export function interactionsFrom(
  rows: readonly InteractionRow[],
  catalogue: ItemCatalogue,
  options: InteractionOptions = {},
): Interactions {
  const source = options.source ?? 'interactions';
  if (rows.length === 0) {
    throw new DataError({ source }, 'the interactions table is empty; give at least one (customer, item) row');
  }
  const customerIndex = new Map<string, number>();
  const pairs: Map<number, { strength: number; time: number; ratingTime: number }>[] = [];
  rows.forEach((row, r) => {
    const at = (column: string) => ({ source, line: r + 1, column, lineName: 'row' as const });
    if (typeof row.customer !== 'string' || row.customer === '') {
      throw new DataError(at('customer'), `customer id ${JSON.stringify(row.customer)} is empty; give every row one`);
    }
    const item = catalogue.index.get(row.item);
    if (item === undefined) {
      if (options.unknownItems === 'skip') return;
      throw new DataError(
        at('item'),
        `item "${row.item}" is not in the declared catalogue (${catalogue.ids.length} items); ` +
          'add it to the catalogue or drop the row',
      );
    }
    const count = row.count ?? 1;
    if (!(Number.isFinite(count) && count > 0)) {
      throw new DataError(at('count'), `count ${row.count} is not a positive number; fix it or drop the row`);
    }
    if (row.rating !== undefined && !(Number.isFinite(row.rating) && row.rating > 0)) {
      throw new DataError(at('rating'), `rating ${row.rating} is not a positive number; fix it or drop the row`);
    }
    if (row.timestamp !== undefined && !Number.isFinite(row.timestamp)) {
      throw new DataError(at('timestamp'), `timestamp ${row.timestamp} is not a finite number; fix it`);
    }
    const time = row.timestamp ?? r;
    let c = customerIndex.get(row.customer);
    if (c === undefined) {
      c = pairs.length;
      customerIndex.set(row.customer, c);
      pairs.push(new Map());
    }
    const own = pairs[c]!;
    const pair = own.get(item) ?? { strength: 0, time: Number.NEGATIVE_INFINITY, ratingTime: Number.NEGATIVE_INFINITY };
    if (row.rating !== undefined) {
      if (time >= pair.ratingTime) {
        pair.strength = row.rating;
        pair.ratingTime = time;
      }
    } else if (pair.ratingTime === Number.NEGATIVE_INFINITY) {
      pair.strength += count;
    }
    pair.time = Math.max(pair.time, time);
    own.set(item, pair);
  });
  if (pairs.length === 0) {
    throw new DataError({ source, column: 'item' }, 'no row has an item in the catalogue; check the item ids');
  }
  return fromPairs(source, catalogue, [...customerIndex.keys()], pairs);
}

function fromPairs(
  source: string,
  catalogue: ItemCatalogue,
  customerIds: string[],
  pairs: Map<number, { strength: number; time: number }>[],
): Interactions {
  const offsets = new Uint32Array(customerIds.length + 1);
  pairs.forEach((own, c) => {
    offsets[c + 1] = offsets[c]! + own.size;
  });
  const nnz = offsets[customerIds.length]!;
  const items = new Uint32Array(nnz);
  const strengths = new Float64Array(nnz);
  const times = new Float64Array(nnz);
  pairs.forEach((own, c) => {
    let e = offsets[c]!;
    for (const item of [...own.keys()].sort((a, b) => a - b)) {
      const pair = own.get(item)!;
      items[e] = item;
      strengths[e] = pair.strength;
      times[e] = pair.time;
      e++;
    }
  });
  return { source, catalogue, customerIds, offsets, items, strengths, times };
}

/** The number of customers in a table. */
export function customerCount(data: Interactions): number {
  return data.customerIds.length;
}

/**
 * The merchants' tables as one (the centralized baseline's pooled data): customers in merchant order,
 * so pooled customer `offset[m] + c` is merchant m's customer c. All tables must share one catalogue.
 */
export function poolInteractions(tables: readonly Interactions[], source = 'pooled'): Interactions {
  const first = tables[0];
  if (first === undefined) throw new RangeError('poolInteractions needs at least one table');
  tables.forEach((t, m) => {
    if (t.catalogue !== first.catalogue) {
      throw new RangeError(`table ${m} (${t.source}) has another catalogue; pool tables of one catalogue`);
    }
  });
  const customerIds = tables.flatMap((t) => t.customerIds);
  const nnz = tables.reduce((n, t) => n + t.items.length, 0);
  const offsets = new Uint32Array(customerIds.length + 1);
  const items = new Uint32Array(nnz);
  const strengths = new Float64Array(nnz);
  const times = new Float64Array(nnz);
  let c = 0;
  let e = 0;
  for (const t of tables) {
    for (let own = 0; own < t.customerIds.length; own++, c++) offsets[c + 1] = e + t.offsets[own + 1]!;
    items.set(t.items, e);
    strengths.set(t.strengths, e);
    times.set(t.times, e);
    e += t.items.length;
  }
  return { source, catalogue: first.catalogue, customerIds, offsets, items, strengths, times };
}

/** Builds a table from already grouped entries (leave-last-out's training part); no validation. */
export function interactionsFromGroups(
  like: Interactions,
  groups: readonly { items: number[]; strengths: number[]; times: number[] }[],
): Interactions {
  const offsets = new Uint32Array(groups.length + 1);
  groups.forEach((g, c) => {
    offsets[c + 1] = offsets[c]! + g.items.length;
  });
  const items = Uint32Array.from(groups.flatMap((g) => g.items));
  const strengths = Float64Array.from(groups.flatMap((g) => g.strengths));
  const times = Float64Array.from(groups.flatMap((g) => g.times));
  return { ...like, offsets, items, strengths, times };
}
