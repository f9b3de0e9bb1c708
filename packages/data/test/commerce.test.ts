import { seededRandom } from '@tessera/crypto';
import { describe, expect, test } from 'vitest';
import {
  agreeSchema,
  encodeTable,
  generateCommerce,
  profileTable,
  selectRows,
  toCsv,
  trainTestSplit,
  type RawTable,
} from '../src/index.js';
import { auc, fitLogistic } from './helpers/logistic.js';

function repurchaseRate(t: RawTable, merchant: string): number {
  const rows = t.rows.filter((r) => r[1] === merchant);
  return rows.filter((r) => r[11] === 'yes').length / rows.length;
}

describe('generateCommerce', () => {
  test('has the documented columns and plausible values', () => {
    const t = generateCommerce({ merchants: 3, customersPerMerchant: [5, 0, 7], seed: 'shape' });
    expect(t.columns).toEqual([
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
    ]);
    expect(t.rows).toHaveLength(12);
    expect(t.rows.map((r) => r[1])).toEqual([...Array(5).fill('m1'), ...Array(7).fill('m3')]);
    expect(t.rows[0][0]).toBe('m1-000001');
    expect(t.lineOf(0)).toBe(2);
    for (const [, , region, category, recency, frequency, , , discount, returns, tenure, label] of t.rows) {
      expect(['north', 'south', 'east', 'west', 'central']).toContain(region);
      expect(['electronics', 'fashion', 'grocery', 'home', 'beauty', 'books']).toContain(category);
      expect(Number(recency)).toBeLessThanOrEqual(Number(tenure));
      expect(Number(returns)).toBeLessThanOrEqual(Number(frequency));
      expect(Number(discount)).toBeGreaterThanOrEqual(0);
      expect(Number(discount)).toBeLessThanOrEqual(1);
      expect(['yes', 'no']).toContain(label);
    }
  });

  test("is deterministic given the seed, and a merchant's rows do not depend on the others' counts", () => {
    const a = generateCommerce({ merchants: 3, customersPerMerchant: 50, seed: 7 });
    expect(toCsv(generateCommerce({ merchants: 3, customersPerMerchant: 50, seed: 7 }))).toBe(toCsv(a));
    expect(toCsv(generateCommerce({ merchants: 3, customersPerMerchant: 50, seed: 8 }))).not.toBe(toCsv(a));
    const b = generateCommerce({ merchants: 3, customersPerMerchant: [50, 10, 50], seed: 7 });
    expect(b.rows.filter((r) => r[1] === 'm3')).toEqual(a.rows.filter((r) => r[1] === 'm3'));
  });

  test('merchants differ in repurchase rate and category mix', () => {
    const t = generateCommerce({ merchants: 5, customersPerMerchant: 600, seed: 'rates' });
    const rates = ['m1', 'm2', 'm3', 'm4', 'm5'].map((m) => repurchaseRate(t, m));
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.15);
    const topCategory = (m: string) => {
      const counts = new Map<string, number>();
      for (const r of t.rows) if (r[1] === m) counts.set(r[3], (counts.get(r[3]) ?? 0) + 1);
      return Math.max(...counts.values()) / 600;
    };
    expect(Math.max(...['m1', 'm2', 'm3', 'm4', 'm5'].map(topCategory))).toBeGreaterThan(0.35);
  });

  test('a linear model reaches AUC 0.75-0.85 pooled, and beats one trained on a single merchant', () => {
    const t = generateCommerce({ merchants: 4, customersPerMerchant: 700, seed: 'auc' });
    const schema = agreeSchema([profileTable(t, 'repurchase', { exclude: ['customer_id', 'merchant'] })]);
    expect(schema.features.map((f) => f.kind)).toEqual(['categorical', 'categorical', ...Array(7).fill('numeric')]);
    const labels = encodeTable(t, schema).y;
    const { train, test } = trainTestSplit(t.rows.length, 0.25, seededRandom('auc-split'), labels);
    const pooledTest = encodeTable(selectRows(t, test), schema);

    const pooled = auc(fitLogistic(encodeTable(selectRows(t, train), schema)).score(pooledTest), pooledTest.y);
    expect(pooled).toBeGreaterThan(0.75);
    expect(pooled).toBeLessThan(0.85);

    for (const merchant of ['m1', 'm2', 'm3', 'm4']) {
      const own = Array.from(train).filter((r) => t.rows[r][1] === merchant);
      const single = auc(fitLogistic(encodeTable(selectRows(t, own), schema)).score(pooledTest), pooledTest.y);
      expect(single).toBeLessThan(pooled);
    }
  });

  test('rejects bad counts', () => {
    expect(() => generateCommerce({ merchants: 2, customersPerMerchant: [1], seed: 1 })).toThrow(/one per merchant/);
    expect(() => generateCommerce({ merchants: 0, customersPerMerchant: 1, seed: 1 })).toThrow(/positive integer/);
  });
});
