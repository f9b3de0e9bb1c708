import { describe, expect, it } from 'vitest';
import { DataError } from '@tessera/data';
import {
  alsAlgorithm,
  checkFactorCount,
  interactionsFrom,
  itemCatalogue,
  poolInteractions,
  trainRecommender,
} from '../src/index.js';

const catalogue = itemCatalogue(['a', 'b', 'c', 'd']);

describe('interactions', () => {
  it('groups rows by customer into distinct pairs, summing counts and keeping the latest time', () => {
    const data = interactionsFrom(
      [
        { customer: 'x', item: 'c', count: 2, timestamp: 5 },
        { customer: 'y', item: 'a' },
        { customer: 'x', item: 'a', timestamp: 3 },
        { customer: 'x', item: 'c', count: 1, timestamp: 9 },
      ],
      catalogue,
    );
    expect(data.customerIds).toEqual(['x', 'y']);
    expect([...data.offsets]).toEqual([0, 2, 3]);
    expect([...data.items]).toEqual([0, 2, 0]);
    expect([...data.strengths]).toEqual([1, 3, 1]);
    expect([...data.times]).toEqual([3, 9, 1]); // y's row has no timestamp: its position, 1
  });

  it('takes the latest rating as the strength when rows carry ratings', () => {
    const data = interactionsFrom(
      [
        { customer: 'x', item: 'b', rating: 4, timestamp: 2 },
        { customer: 'x', item: 'b', rating: 2, timestamp: 1 },
      ],
      catalogue,
    );
    expect([...data.strengths]).toEqual([4]);
  });

  it('refuses an item outside the declared catalogue, naming the source, row and field', () => {
    const rows = [
      { customer: 'x', item: 'a' },
      { customer: 'x', item: 'zz' },
    ];
    const error = (() => {
      try {
        interactionsFrom(rows, catalogue, { source: 'shop.csv' });
      } catch (e) {
        return e as DataError;
      }
    })();
    expect(error).toBeInstanceOf(DataError);
    expect(error?.message).toMatch(/^shop\.csv row 2, column "item": item "zz" is not in the declared catalogue/);
    expect(interactionsFrom(rows, catalogue, { unknownItems: 'skip' }).items.length).toBe(1);
  });

  it('refuses an empty table and bad counts, ratings and timestamps', () => {
    expect(() => interactionsFrom([], catalogue, { source: 'shop.csv' })).toThrow(
      /^shop\.csv: the interactions table is empty/,
    );
    expect(() => interactionsFrom([{ customer: 'x', item: 'a', count: -1 }], catalogue)).toThrow(
      /row 1, column "count": count -1 is not a positive number/,
    );
    expect(() => interactionsFrom([{ customer: 'x', item: 'a', rating: Number.NaN }], catalogue)).toThrow(
      /column "rating"/,
    );
    expect(() => interactionsFrom([{ customer: '', item: 'a' }], catalogue)).toThrow(/column "customer"/);
    expect(() => interactionsFrom([{ customer: 'x', item: 'a', timestamp: Infinity }], catalogue)).toThrow(
      /column "timestamp"/,
    );
  });

  it('refuses a duplicate or empty catalogue', () => {
    expect(() => itemCatalogue(['a', 'b', 'a'])).toThrow(/entry 3: item id "a" is listed twice/);
    expect(() => itemCatalogue([])).toThrow(/catalogue is empty/);
  });

  it('refuses k too large for the data, naming k', () => {
    const data = interactionsFrom(
      ['p', 'q', 'r', 's', 't', 'u'].map((customer, i) => ({ customer, item: catalogue.ids[i % 4]! })),
      catalogue,
    );
    expect(() => checkFactorCount(4, [data])).toThrow(/^k = 4 is too large for the data: the catalogue has 4 items/);
    const two = interactionsFrom(
      [
        { customer: 'p', item: 'a' },
        { customer: 'q', item: 'b' },
      ],
      catalogue,
    );
    expect(() => checkFactorCount(2, [two])).toThrow(/^k = 2 is too large for the data: there are 2 customers/);
    expect(() => checkFactorCount(0, [data])).toThrow(/^k = 0 is not a positive integer/);
    expect(() => trainRecommender(alsAlgorithm({ k: 5 }), [data], { rounds: 1 })).toThrow(/^k = 5 is too large/);
    expect(() => checkFactorCount(3, [data])).not.toThrow();
  });

  it('pools tables customer after customer', () => {
    const a = interactionsFrom([{ customer: 'x', item: 'b' }], catalogue);
    const b = interactionsFrom(
      [
        { customer: 'y', item: 'a' },
        { customer: 'y', item: 'd' },
      ],
      catalogue,
    );
    const pooled = poolInteractions([a, b]);
    expect(pooled.customerIds).toEqual(['x', 'y']);
    expect([...pooled.offsets]).toEqual([0, 1, 3]);
    expect([...pooled.items]).toEqual([1, 0, 3]);
  });
});
