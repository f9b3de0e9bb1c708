// The synthetic orders generator: seeded and byte-for-byte reproducible, plausible order histories, and the same rows
// in CSV and in Parquet.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  CHANNELS,
  LocalEngine,
  ORDER_COLUMNS,
  REGIONS,
  generateOrders,
  type OrdersProgress,
} from '@tessera/engine';

const ROWS = 20_000;
let dir: string;
let engine: LocalEngine;
const at = (f: string) => join(dir, f);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'synthetic-orders-'));
  engine = await LocalEngine.open({ threads: 2 });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The rows of a query, BIGINT counts as numbers. */
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await engine.connection.runAndReadAll(sql))
    .getRowObjects()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

async function cells(name: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const b of engine.batches(name, undefined, 4096)) out.push(...b.rows);
  return out;
}

describe('generateOrders', () => {
  it('writes the same bytes for the same seed and different data for another seed', async () => {
    const progress: OrdersProgress[] = [];
    const a = await generateOrders({
      orders: ROWS,
      seed: 7,
      out: at('a.csv'),
      format: 'csv',
      onProgress: (p) => progress.push(p),
    });
    await generateOrders({ orders: ROWS, seed: 7, out: at('b.csv'), format: 'csv', threads: 1 });
    await generateOrders({ orders: ROWS, seed: 8, out: at('c.csv'), format: 'csv' });
    const [first, again, other] = ['a.csv', 'b.csv', 'c.csv'].map((f) => readFileSync(at(f)));
    expect(a).toMatchObject({ file: at('a.csv'), format: 'csv', rows: ROWS, seed: 7, bytes: first!.length });
    expect(first!.equals(again!)).toBe(true);
    expect(first!.equals(other!)).toBe(false);
    const text = first!.toString('utf8');
    expect(text.includes('\r')).toBe(false);
    const lines = text.split('\n');
    expect(lines[0]).toBe(ORDER_COLUMNS.map(([name]) => name).join(','));
    expect(lines).toHaveLength(ROWS + 2);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).every((l) => l.split(',').length === ORDER_COLUMNS.length)).toBe(true);
    // the other seed changes every kind of draw, not just a few rows
    const otherLines = other!.toString('utf8').split('\n');
    const differ = (col: number) =>
      lines.slice(1, 200).filter((l, i) => l.split(',')[col] !== otherLines[i + 1]!.split(',')[col]);
    for (const col of [1, 4, 5, 6, 8, 12]) expect(differ(col).length).toBeGreaterThan(50);
    expect(progress[0]).toMatchObject({ rows: 0, total: ROWS, phase: 'writing' });
    expect(progress.at(-1)).toMatchObject({ rows: ROWS, total: ROWS, phase: 'done' });
  });

  it('draws plausible order histories: ranges, categories, returns and repeat customers', async () => {
    await generateOrders({ orders: ROWS, seed: 11, out: at('plausible.csv'), format: 'csv', merchants: 3 });
    const d = await engine.register('plausible', { type: 'csv', path: at('plausible.csv') });
    expect(d.rows).toBe(ROWS);
    expect(d.columns.map((c) => c.name)).toEqual(ORDER_COLUMNS.map(([name]) => name));
    const t = engine.relation('plausible');
    const [s] = await rows(`
      SELECT count(DISTINCT order_id) AS ids, min(order_id::BIGINT) AS first, max(order_id::BIGINT) AS last,
        count(DISTINCT customer_id) AS customers, count(DISTINCT merchant_id) AS merchants,
        count(DISTINCT category) AS categories, count(DISTINCT product_id) AS products,
        min(ordered_at::TIMESTAMP)::VARCHAR AS earliest, max(ordered_at::TIMESTAMP)::VARCHAR AS latest,
        min(quantity::INTEGER) AS qmin, max(quantity::INTEGER) AS qmax,
        min(unit_price::DECIMAL(10,2))::DOUBLE AS pmin,
        count(*) FILTER (WHERE order_value::DECIMAL(12,2) <>
          quantity::INTEGER * unit_price::DECIMAL(10,2) - discount::DECIMAL(12,2)) AS wrong_totals,
        count(*) FILTER (WHERE discount::DECIMAL(12,2) < 0
          OR discount::DECIMAL(12,2) > quantity::INTEGER * unit_price::DECIMAL(10,2) * 0.2 + 0.005) AS wrong_discounts,
        count(*) FILTER (WHERE discount::DECIMAL(12,2) > 0) / count(*) AS discounted,
        count(*) FILTER (WHERE returned = 'yes') / count(*) AS return_rate,
        count(*) FILTER (WHERE returned NOT IN ('yes', 'no')) AS bad_returned,
        count(DISTINCT ordered_at::TIMESTAMP::DATE) AS days
      FROM ${t}`);
    expect(s).toMatchObject({ ids: ROWS, first: 1, last: ROWS, merchants: 3, categories: 12 });
    expect(Number(s!.customers)).toBeGreaterThan(ROWS / 20);
    expect(Number(s!.customers)).toBeLessThan(ROWS / 2);
    expect(Number(s!.products)).toBeGreaterThan(500);
    expect(String(s!.earliest) >= '2024-01-01').toBe(true);
    expect(String(s!.latest) < '2026-01-01').toBe(true);
    expect(Number(s!.days)).toBeGreaterThan(700);
    expect(s).toMatchObject({ qmin: 1, wrong_totals: 0, wrong_discounts: 0, bad_returned: 0 });
    expect(Number(s!.qmax)).toBeLessThanOrEqual(20);
    expect(Number(s!.pmin)).toBeGreaterThan(0);
    expect(Number(s!.discounted)).toBeGreaterThan(0.1);
    expect(Number(s!.discounted)).toBeLessThan(0.5);
    expect(Number(s!.return_rate)).toBeGreaterThan(0.02);
    expect(Number(s!.return_rate)).toBeLessThan(0.2);

    const names = async (col: string) =>
      (await rows(`SELECT DISTINCT ${col} AS v FROM ${t} ORDER BY 1`)).map((r) => String(r.v));
    expect(await names('region')).toEqual(REGIONS.map((r) => r.name).sort());
    expect(await names('channel')).toEqual(CHANNELS.map((c) => c.name).sort());
    expect(await names('category')).toEqual(CATEGORIES.map((c) => c.name).sort());

    // repeat customers: most orders come from customers who ordered before, and a loyal few order often
    const [r] = await rows(`
      SELECT count(*) FILTER (WHERE n >= 2) AS repeaters, count(*) FILTER (WHERE n >= 10) AS loyal,
        sum(n) FILTER (WHERE n >= 2) / sum(n) AS repeat_share, count(*) FILTER (WHERE n = 1) AS once
      FROM (SELECT customer_id, count(*) AS n FROM ${t} GROUP BY 1)`);
    expect(Number(r!.repeat_share)).toBeGreaterThan(0.6);
    expect(Number(r!.loyal)).toBeGreaterThan(50);
    expect(Number(r!.once)).toBeGreaterThan(100);

    // prices follow the category: electronics cost more than groceries; clothing is returned more than groceries
    const byCategory = Object.fromEntries(
      (
        await rows(`SELECT category, avg(unit_price::DOUBLE) AS price,
          count(*) FILTER (WHERE returned = 'yes') / count(*) AS returns FROM ${t} GROUP BY 1`)
      ).map((x) => [String(x.category), { price: Number(x.price), returns: Number(x.returns) }]),
    );
    expect(byCategory.electronics!.price).toBeGreaterThan(10 * byCategory.groceries!.price);
    expect(byCategory.clothing!.returns).toBeGreaterThan(3 * byCategory.groceries!.returns);
  });

  it('writes the same rows to Parquet as to CSV, with typed columns', async () => {
    await generateOrders({ orders: ROWS, seed: 5, out: at('same.csv'), format: 'csv' });
    const pq = await generateOrders({ orders: ROWS, seed: 5, out: at('same.parquet'), format: 'parquet' });
    expect(pq).toMatchObject({ format: 'parquet', rows: ROWS });
    const csv = await engine.register('same_csv', { type: 'csv', path: at('same.csv') });
    const parquet = await engine.register('same_parquet', { type: 'parquet', path: at('same.parquet') });
    expect(parquet.rows).toBe(ROWS);
    expect(parquet.columns).toEqual(ORDER_COLUMNS.map(([name, type]) => ({ name, type })));
    expect(csv.columns.map((c) => c.name)).toEqual(parquet.columns.map((c) => c.name));
    const fromCsv = await cells('same_csv');
    const fromParquet = await cells('same_parquet');
    expect(fromParquet).toHaveLength(ROWS);
    expect(fromParquet).toEqual(fromCsv);
  });

  it('refuses a count, seed or merchant number that is not a whole number, and a missing directory', async () => {
    const base = { seed: 1, out: at('x.csv'), format: 'csv' as const };
    await expect(generateOrders({ ...base, orders: 0 })).rejects.toThrow(/orders must be a whole number/);
    await expect(generateOrders({ ...base, orders: 10, seed: 1.5 })).rejects.toThrow(/seed must be a whole number/);
    await expect(generateOrders({ ...base, orders: 10, merchants: 0 })).rejects.toThrow(/merchants must be/);
    await expect(generateOrders({ ...base, orders: 10, out: join(dir, 'no', 'x.csv') })).rejects.toThrow(
      `the directory ${join(dir, 'no')} does not exist; create it first`,
    );
  });
});
