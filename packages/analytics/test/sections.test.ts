import { seededRandom } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  consistentTree,
  decodeResult,
  evaluateLocally,
  itemBytes,
  bytesItem,
  parseQuery,
  planQuery,
  runPooled,
  type QueryOptions,
} from '../src/index.js';
import { orders, split, table } from './helpers.js';

function addAll(vs: Float64Array[]): Float64Array {
  const out = new Float64Array(vs[0].length);
  for (const v of vs)
    v.forEach((x, i) => {
      out[i] += x;
    });
  return out;
}

describe('HISTOGRAM', () => {
  const data = orders(3000, 'hist');
  const opts: QueryOptions = {
    bounds: { order_value: [0, 5000] },
    domains: { category: ['books', 'toys', 'food'] },
    bins: { basket: [1, 3, 6, 12.5] },
  };

  it('numeric (default 32 bins over the bounds, values clamped) and categorical, equal to a direct count', () => {
    const plan = planQuery(
      parseQuery('SELECT HISTOGRAM(order_value), HISTOGRAM(category) AS cats, HISTOGRAM(basket) FROM orders'),
      opts,
    );
    const parts = split(data, 3, 'by-region', seededRandom('h'));
    const r = decodeResult(plan, addAll(parts.map((p) => evaluateLocally(plan, p))), 0);
    const ov = new Array(32).fill(0);
    const cats = [0, 0, 0];
    const bk = [0, 0, 0];
    for (const row of data.rows) {
      const v = Number(row[3]);
      if (row[3].trim() !== '' && Number.isFinite(v))
        ov[Math.min(31, Math.floor(Math.min(5000, Math.max(0, v)) / (5000 / 32)))]++;
      const c = ['books', 'toys', 'food'].indexOf(row[1]);
      if (c >= 0) cats[c]++;
      const b = Number(row[4]);
      bk[b < 3 ? 0 : b < 6 ? 1 : 2]++;
    }
    expect(r.histograms!['HISTOGRAM(order_value)'].counts).toEqual(ov);
    expect(r.histograms!['HISTOGRAM(order_value)'].edges!.length).toBe(33);
    expect(r.histograms!.cats).toEqual({ categories: ['books', 'toys', 'food'], counts: cats });
    expect(r.histograms!['HISTOGRAM(basket)']).toEqual({ edges: [1, 3, 6, 12.5], counts: bk });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].cats).toEqual(cats);
  });
});

describe('QUANTILES', () => {
  it('consistency leaves exact counts unchanged and makes noisy trees consistent with smaller leaf error', () => {
    const leaves = 8;
    const rng = seededRandom('tree');
    const exact = new Float64Array(2 * leaves - 1);
    for (let i = 0; i < leaves; i++) exact[leaves - 1 + i] = 10 + rng.int(1000);
    for (let j = leaves - 2; j >= 0; j--) exact[j] = exact[2 * j + 1] + exact[2 * j + 2];
    expect(Array.from(consistentTree(exact, leaves))).toEqual(Array.from(exact).map((x) => expect.closeTo(x, 9)));

    let rawErr = 0;
    let postErr = 0;
    for (let rep = 0; rep < 300; rep++) {
      const noisy = exact.map((x) => x + 20 * rng.gaussian());
      const h = consistentTree(noisy, leaves);
      for (let j = 0; j < leaves - 1; j++) expect(h[j]).toBeCloseTo(h[2 * j + 1] + h[2 * j + 2], 8);
      // the error of a range count (sum of the first 5 leaves) shrinks
      let raw = 0,
        post = 0,
        truth = 0;
      for (let i = 0; i < 5; i++) {
        raw += noisy[leaves - 1 + i];
        post += h[leaves - 1 + i];
        truth += exact[leaves - 1 + i];
      }
      rawErr += (raw - truth) ** 2;
      postErr += (post - truth) ** 2;
    }
    expect(postErr).toBeLessThan(rawErr * 0.8);
  });

  it('quartiles and deciles lie within one bin of the true quantile (federated = pooled)', () => {
    const data = orders(8000, 'quant');
    const opts: QueryOptions = {
      bounds: { order_value: [0, 5000] },
      domains: {},
      bins: { basket: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 8.5, 12.5] },
    };
    const plan = planQuery(parseQuery('SELECT QUANTILES(order_value), QUANTILES(basket) AS qb FROM orders'), opts);
    const parts = split(data, 5, 'uneven', seededRandom('q'));
    const r = decodeResult(plan, addAll(parts.map((p) => evaluateLocally(plan, p))), 0);
    expect(runPooled(plan, [data])).toEqual(r);
    const values = data.rows
      .map((row) => row[3])
      .filter((c) => c.trim() !== '' && Number.isFinite(Number(c)))
      .map((c) => Math.min(5000, Math.max(0, Number(c))))
      .sort((a, b) => a - b);
    const baskets = data.rows.map((row) => Number(row[4])).sort((a, b) => a - b);
    const trueQ = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))];
    const qs = r.quantiles!['QUANTILES(order_value)'];
    expect(qs.map((x) => x.q)).toEqual([0.1, 0.25, 0.5, 0.75, 0.9]);
    for (const { q, value } of qs) expect(Math.abs(value - trueQ(values, q))).toBeLessThanOrEqual(5000 / 32);
    for (const { q, value } of r.quantiles!.qb) expect(Math.abs(value - trueQ(baskets, q))).toBeLessThanOrEqual(4);
    expect(r.rows[0].qb).toEqual(r.quantiles!.qb);
  });

  it('stays within about a bin with moderate noise', () => {
    const data = orders(20000, 'quant-noise');
    const plan = planQuery(parseQuery('SELECT QUANTILES(order_value) FROM orders'), {
      bounds: { order_value: [0, 5000] },
      domains: {},
    });
    const exact = evaluateLocally(plan, data);
    const rng = seededRandom('qn');
    const values = data.rows
      .map((row) => row[3])
      .filter((c) => c.trim() !== '' && Number.isFinite(Number(c)))
      .map((c) => Math.min(5000, Math.max(0, Number(c))))
      .sort((a, b) => a - b);
    for (let rep = 0; rep < 10; rep++) {
      const noisy = exact.map((x) => x + 10 * rng.gaussian());
      const r = decodeResult(plan, noisy, 10);
      for (const { q, value } of r.quantiles!['QUANTILES(order_value)']) {
        const t = values[Math.ceil(q * values.length) - 1];
        expect(Math.abs(value - t)).toBeLessThanOrEqual(2 * (5000 / 32));
      }
    }
  });
});

describe('TOP_K heavy hitters', () => {
  it('encodes items as UTF-8, truncated at a character boundary and zero-padded', () => {
    expect(Array.from(itemBytes('ab', 4))).toEqual([97, 98, 0, 0]);
    expect(bytesItem(itemBytes('ab', 4))).toBe('ab');
    expect(bytesItem(itemBytes('aé€', 4))).toBe('aé'); // € would need 3 more bytes
    expect(bytesItem(itemBytes('abcdefghijklmnopqrstuvwxyz', 16))).toBe('abcdefghijklmnop');
  });

  // Zipf(1.1) over 3000 items, some with long or non-ASCII names.
  const rng = seededRandom('zipf');
  const names = Array.from({ length: 3000 }, (_, i) =>
    i % 7 === 3 ? `produit-spécial-n°${i}-édition-longue` : `sku-${(i * 7919) % 100000}`,
  );
  const weights = names.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w, i) => (cdf[i] = acc + w / total), 0);
  const rows: string[][] = [];
  for (let i = 0; i < 40000; i++) {
    const u = rng.float();
    let lo = 0,
      hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    rows.push([names[lo], String(i % 3)]);
  }
  rows.push(['', '0'], ['NA', '1']);
  const data = table(['sku', 'shard'], rows);
  const trunc = (s: string) => bytesItem(itemBytes(s, 16));
  const trueCounts = new Map<string, number>();
  for (const [s] of rows) if (s !== '' && s !== 'NA') trueCounts.set(trunc(s), (trueCounts.get(trunc(s)) ?? 0) + 1);
  const plan = planQuery(parseQuery('SELECT TOP_K(sku, 10), COUNT(*) FROM orders'), { bounds: {}, domains: {} });
  const parts = [0, 1, 2].map((k) =>
    table(
      data.columns,
      rows.filter((r) => r[1] === String(k)),
    ),
  );
  const sum = addAll(parts.map((p) => evaluateLocally(plan, p)));

  it('finds every item above the threshold frequency (default 1% of rows), with no underestimate', () => {
    const threshold = 0.01 * rows.length;
    const heavy = [...trueCounts]
      .filter(([, c]) => c >= threshold)
      .sort((a, b) => b[1] - a[1])
      .map(([s]) => s);
    expect(heavy.length).toBeGreaterThan(5);
    const r = decodeResult(plan, sum, 0);
    const list = r.topK!['TOP_K(sku, 10)'];
    expect(list.length).toBe(10);
    const found = new Set(list.map((x) => x.item));
    for (const h of heavy.slice(0, 10)) expect(found.has(h), h).toBe(true);
    for (const { item, count } of list) expect(count).toBeGreaterThanOrEqual(trueCounts.get(item) ?? 0);
    // the top 10 by true count, in order
    const top10 = [...trueCounts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([s]) => s);
    expect(list.map((x) => x.item)).toEqual(top10);

    // every heavy item, with a large k
    const planAll = planQuery(parseQuery('SELECT TOP_K(sku, 1000) FROM orders'), { bounds: {}, domains: {} });
    const all = runPooled(planAll, parts).topK!['TOP_K(sku, 1000)'].map((x) => x.item);
    for (const h of heavy) expect(all, h).toContain(h);
    // a lower declared threshold, with a wider sketch (count-min resolves counts above about rows / width), finds more
    const planLow = planQuery(parseQuery('SELECT TOP_K(sku, 1000) FROM orders'), {
      bounds: {},
      domains: {},
      topK: { threshold: 0.002 * rows.length, width: 4096 },
    });
    const low = runPooled(planLow, parts).topK!['TOP_K(sku, 1000)'].map((x) => x.item);
    for (const [s, c] of trueCounts) if (c >= 0.002 * rows.length) expect(low, s).toContain(s);
  });

  it('still finds the clearly heavy items with Gaussian noise on every counter', () => {
    const noiseRng = seededRandom('hh-noise');
    const noisy = sum.map((x) => x + 8 * noiseRng.gaussian());
    const r = decodeResult(plan, noisy, 8);
    const found = new Set(r.topK!['TOP_K(sku, 10)'].map((x) => x.item));
    for (const [s, c] of trueCounts) if (c >= 0.02 * rows.length) expect(found.has(s), s).toBe(true);
    expect(r.rows[0].stddev['TOP_K(sku, 10)']).toBe(8);
  });
});
