// A PostgreSQL data source (a table, and a view over it) gives the participant the same answers as the same rows in
// CSV (issue 21): a real throwaway cluster, 20,000 synthetic orders, queries through runQueryLocally on a LocalData of
// each source. A wrong password fails at open, naming the source and never the password.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@tessera/crypto';
import { DataError, parseCsv, toCsv, type RawTable } from '@tessera/data';
import { generateOrders, REGIONS } from '@tessera/engine';
import { parseQuerySpec } from '@tessera/jobs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../coordinator/test/pg/pg-cluster.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { LocalData } from '../src/local-data.js';
import { runQueryLocally } from '../src/query-compute.js';

const ROWS = 20_000;
// Needs escaping in a URL: both its written and its decoded form are checked for leaks.
const PASSWORD = 'Or/ders@pg:pw';
const TYPES: Record<string, string> = {
  order_id: 'bigint',
  customer_id: 'text',
  merchant_id: 'text',
  product_id: 'text',
  category: 'text',
  region: 'text',
  ordered_at: 'timestamp',
  quantity: 'integer',
  unit_price: 'numeric(10,2)',
  order_value: 'numeric(12,2)',
  discount: 'numeric(12,2)',
  returned: 'text',
  channel: 'text',
};
const DOMAINS = { region: REGIONS.map((r) => r.name), channel: ['web', 'app', 'store'] };
const BOUNDS = { order_value: [0, 2000], quantity: [0, 20], discount: [0, 500] };

/** Exact answers (no DP): the vector of raw sums. */
const exact = (sql: string, extra: object = {}) => ({
  dataset: 'orders',
  specJson: JSON.stringify({ kind: 'query', sql, bounds: BOUNDS, domains: DOMAINS, ...extra }),
});

const QUERIES: [string, object?][] = [
  ['SELECT region, COUNT(*), SUM(order_value), AVG(order_value), VARIANCE(quantity) FROM orders GROUP BY region'],
  ["SELECT channel, COUNT(*), SUM(discount) FROM orders WHERE returned = 'yes' AND order_value > 50 GROUP BY channel"],
  [
    'SELECT HISTOGRAM(order_value), HISTOGRAM(region), QUANTILES(quantity) FROM orders WHERE quantity IN (1, 2, 3)',
    { bins: { order_value: [0, 10, 25, 50, 100, 250, 500, 1000, 2000] } },
  ],
];

const tmp = tempDir('tessera-pg-source-');
let cluster: PostgresCluster;
let reader: (password?: string) => string;
let csv: RawTable;
const data: Record<'csv' | 'table' | 'view', LocalData> = {} as never;

beforeAll(async () => {
  const generated = join(tmp.dir, 'generated.csv');
  const [started] = await Promise.all([
    startPostgres({ passwords: true }),
    generateOrders({ orders: ROWS, seed: 2106, out: generated, format: 'csv', threads: 2 }),
  ]);
  cluster = started;
  const rows = parseCsv(readFileSync(generated, 'utf8'), generated);
  const admin = await cluster.createDatabase();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    const columns = rows.columns.map((c) => `${c} ${TYPES[c]}`).join(', ');
    await client.query(`
      CREATE ROLE reader LOGIN PASSWORD '${PASSWORD}';
      CREATE TABLE orders (${columns});
      CREATE VIEW orders_view AS SELECT * FROM orders;
      GRANT SELECT ON orders, orders_view TO reader;
    `);
    const unnest = rows.columns.map((c, i) => `$${i + 1}::${TYPES[c]}[]`).join(', ');
    await client.query(
      `INSERT INTO orders SELECT * FROM unnest(${unnest})`,
      rows.columns.map((_, i) => rows.rows.map((r) => r[i])),
    );
    // The CSV copy holds the rows in the table's own order (the order a scan gives), which the engine keeps: a
    // customer's capped rows are then drawn from the same sequence.
    const order = (await client.query<{ order_id: string }>('SELECT order_id FROM orders')).rows;
    const byId = new Map(rows.rows.map((r) => [r[0], r]));
    csv = { ...rows, rows: order.map((o) => byId.get(o.order_id)!) };
  } finally {
    await client.end();
  }
  writeFileSync(join(tmp.dir, 'orders.csv'), toCsv(csv));
  const u = new URL(admin);
  reader = (password = PASSWORD) => {
    const url = new URL(u);
    url.username = 'reader';
    url.password = encodeURIComponent(password);
    return url.toString();
  };
  data.csv = new LocalData({ orders: { type: 'csv', path: join(tmp.dir, 'orders.csv'), exclude: [] } });
  data.table = new LocalData({ orders: { type: 'postgres', url: reader(), table: 'orders', exclude: [] } });
  data.view = new LocalData({ orders: { type: 'postgres', url: reader(), table: 'orders_view', exclude: [] } });
  await Promise.all(Object.values(data).map((d) => d.open()));
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(data).map((d) => d.close()));
  await cluster?.stop();
  tmp.cleanup();
});

/** The vector each source gives for a task, CSV first. */
async function answers(task: object, seed?: string): Promise<number[][]> {
  const out: number[][] = [];
  for (const d of [data.csv, data.table, data.view]) {
    const r = await runQueryLocally(d, task, undefined, seed ? seededRandom(seed) : undefined);
    out.push(Array.from(r.vector!));
  }
  return out;
}

describe('a PostgreSQL table and view give the same answers as the same rows in CSV', () => {
  it('serves the same columns, row count and cells', async () => {
    for (const d of [data.table, data.view]) {
      expect(d.columnNames('orders')).toEqual(csv.columns);
      expect(d.rowCount('orders')).toBe(ROWS);
      expect(d.inMemory('orders')).toBe(true);
      expect(d.table('orders').rows).toEqual(csv.rows);
    }
    expect(data.table.describe('orders').source).toMatch(/^postgres:\/\/reader:\*\*\*@127\.0\.0\.1:\d+\/t_\w+ table/);
  });

  for (const [sql, extra] of QUERIES)
    it(`exactly: ${sql}`, async () => {
      const [fromCsv, fromTable, fromView] = await answers(exact(sql, extra));
      expect(fromCsv!.length).toBeGreaterThan(2);
      expect(fromCsv!.some((v) => v !== 0)).toBe(true);
      expect(fromTable).toEqual(fromCsv);
      expect(fromView).toEqual(fromCsv);
    });

  it('the group counts add up to every row', async () => {
    const [v] = await answers(exact('SELECT region, COUNT(*) FROM orders GROUP BY region'));
    expect(v!.reduce((a, b) => a + b, 0)).toBe(ROWS);
  });

  it('unit customer with the same fixed draw: the same capped rows, so the same vector', async () => {
    const spec = {
      kind: 'query',
      sql: 'SELECT region, COUNT(*), SUM(order_value) FROM orders GROUP BY region',
      bounds: BOUNDS,
      domains: DOMAINS,
      privacy: { mode: 'distributed', epsilon: 1, unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 2 },
    };
    const task = { dataset: 'orders', specJson: JSON.stringify(spec), query: { dpLevel: 4096, maxRecords: 1_000_000 } };
    const [fromCsv, fromTable, fromView] = await answers(task, 'pg-source/customer');
    expect(fromTable).toEqual(fromCsv);
    expect(fromView).toEqual(fromCsv);
    // The cap bit: fewer rows counted than the table holds (customers place about 5 orders each).
    const [uncapped] = await answers(exact('SELECT region, COUNT(*) FROM orders GROUP BY region'));
    const { plan } = parseQuerySpec(spec);
    const counted = fromCsv!.reduce((a, v, i) => (i % 2 === 0 ? a + v * plan.scale[i]! : a), 0);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(uncapped!.reduce((a, b) => a + b, 0) / 2);
  });
});

describe('a wrong PostgreSQL password', () => {
  it('fails at open naming the source, with the password hidden', async () => {
    const wrong = 'N0t/the@pass:word';
    const local = new LocalData({ orders: { type: 'postgres', url: reader(wrong), table: 'orders', exclude: [] } });
    const err = await local.open().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await local.close();
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toMatch(/^postgres:\/\/reader:\*\*\*@127\.0\.0\.1:\d+\/t_\w+ table "orders": /);
    expect(err!.message).toMatch(/password authentication failed for user "reader"/);
    expect(err!.message).toMatch(/check the user and password/);
    for (const text of [err!.message, String(err!.stack)])
      for (const secret of [wrong, encodeURIComponent(wrong), PASSWORD, encodeURIComponent(PASSWORD)])
        expect(text).not.toContain(secret);
  });
});
