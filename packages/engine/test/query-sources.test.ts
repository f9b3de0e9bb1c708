import { join } from 'node:path';
import { parseQuery, planQuery, type PrivacyUnit, type QueryOptions } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import type { RawTable } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine, quoteLiteral } from '../src/index.js';
import { difference, fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// A Parquet file with typed numeric columns (DOUBLE, BIGINT, DECIMAL) gives the same vector as the same data in CSV
// (text cells), and both equal the JavaScript path on the CSV.

const REGIONS = ['north', 'south', 'east', 'west'];

function orders(n: number): RawTable {
  const rng = seededRandom('query-sources');
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.float();
    const value = r < 0.05 ? '' : r < 0.08 ? 'NA' : (rng.int(700_000) / 100 - 500).toFixed(2);
    const qty = rng.float() < 0.05 ? '' : String(rng.int(30) - 2);
    const price = rng.float() < 0.05 ? '' : (rng.int(100_000) / 100).toFixed(2);
    const region = rng.float() < 0.03 ? 'NA' : REGIONS[rng.int(4)]!;
    rows.push([region, value, qty, price, `c${rng.int(300)}`, rng.float() < 0.9 ? 'paid' : 'refund']);
  }
  const columns = ['region', 'value', 'qty', 'price', 'customer', 'status'];
  return { source: 'orders.csv', columns, rows, lineOf: (i) => i + 2 };
}

const OPTIONS: QueryOptions = {
  bounds: { value: [0, 5000], qty: [0, 20], price: [0, 900] },
  domains: { region: REGIONS, status: ['paid', 'refund'] },
  bins: { qty: [0, 1, 2, 5, 10, 20] },
};
const QUERIES: [string, PrivacyUnit?][] = [
  ['SELECT region, COUNT(*), COUNT(value), SUM(value), AVG(qty), VARIANCE(price) FROM orders GROUP BY region'],
  [
    'SELECT region, status, SUM(qty), AVG(price) FROM orders ' +
      "WHERE value > 100 AND status = 'paid' GROUP BY region, status",
  ],
  ['SELECT COUNT(*), AVG(value) FROM orders WHERE qty IN (1, 2, 3) OR price <= 10.5'],
  ['SELECT HISTOGRAM(value), HISTOGRAM(qty), QUANTILES(price), TOP_K(customer, 5) FROM orders WHERE qty >= 0'],
  [
    'SELECT region, COUNT(*), SUM(value) FROM orders GROUP BY region',
    { unit: 'customer', userColumn: 'customer', maxRowsPerUser: 3 },
  ],
];

describe('Parquet with typed numeric columns equals the same data in CSV', () => {
  const dir = scratch();
  const table = orders(5000);
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    const csv = await registerTable(engine, dir.dir, 'csv', table);
    const parquet = join(dir.dir, 'orders.parquet');
    await engine.connection.run(
      'COPY (SELECT region, TRY_CAST(value AS DOUBLE) AS value, TRY_CAST(qty AS BIGINT) AS qty, ' +
        'TRY_CAST(price AS DECIMAL(10, 2)) AS price, customer, status ' +
        `FROM read_csv(${quoteLiteral(csv)}, all_varchar = true)) TO ${quoteLiteral(parquet)} (FORMAT parquet)`,
    );
    await engine.register('parquet', { type: 'parquet', path: parquet });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  it('reads the Parquet columns as typed', () => {
    const types = Object.fromEntries(engine.describe('parquet').columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ value: 'DOUBLE', qty: 'BIGINT', price: 'DECIMAL(10,2)', region: 'VARCHAR' });
  });

  it.each(QUERIES)('%s', async (sql, unit) => {
    const plan = planQuery(parseQuery(sql), OPTIONS, unit);
    const fromCsv = await evaluateQuery(engine, 'csv', plan, fixedRandom());
    const fromParquet = await evaluateQuery(engine, 'parquet', plan, fixedRandom());
    expect([...fromParquet.vector]).toEqual([...fromCsv.vector]);
    expect(fromParquet.cappedCustomers).toBe(fromCsv.cappedCustomers);
    expect(difference(plan, fromCsv.vector, oracle(plan, table).vector)).toBeUndefined();
    expect(fromCsv.contributing).toBeGreaterThan(0);
  });
});
