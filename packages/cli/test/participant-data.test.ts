// `tessera participant data check|import`: the merchant's look at the node's data sets and the Parquet import, on the
// merchant's machine only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrders } from '@tessera/engine';
import { tempDir } from '@tessera/test-support';
import { requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

interface Column {
  name: string;
  type: string;
  rows: number;
  missing: number;
  numeric: boolean;
  min?: number;
  max?: number;
  distinct: number;
  values: { value: string; count: number }[];
}
interface Check {
  datasets: { name: string; source: string; rows: number; exclude: string[]; columns: Column[] }[];
}

const ORDER_COLUMNS = [
  'order_id',
  'customer_id',
  'merchant_id',
  'product_id',
  'category',
  'region',
  'ordered_at',
  'quantity',
  'unit_price',
  'order_value',
  'discount',
  'returned',
  'channel',
];

describe('tessera participant data', () => {
  const tmp = tempDir('tessera-participant-data-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);
  const check = async (args: string[]) => {
    const r = await runCli(['participant', 'data', 'check', ...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Check;
  };
  const column = (c: Check, name: string) => c.datasets[0]!.columns.find((x) => x.name === name)!;

  beforeAll(async () => {
    await generateOrders({ orders: 4000, seed: 21, out: at('orders.csv'), format: 'csv', merchants: 4 });
    writeFileSync(
      at('customers.csv'),
      'id,age,region,spend\n1,34,north,12.5\n2,NA,south,\n3,51,north,7\n4,,east,n/a\n',
    );
  });

  it('check --dataset NAME=FILE --json: columns, types, rows, missing cells, ranges and frequent values', async () => {
    const c = await check(['--dataset', `orders=${at('orders.csv')}`]);
    expect(c.datasets).toHaveLength(1);
    const d = c.datasets[0]!;
    expect(d).toMatchObject({ name: 'orders', source: at('orders.csv'), rows: 4000, exclude: [] });
    expect(d.columns.map((x) => x.name)).toEqual(ORDER_COLUMNS);
    expect(d.columns.every((x) => x.type === 'VARCHAR' && x.rows === 4000 && x.missing === 0)).toBe(true);
    expect(column(c, 'order_id')).toMatchObject({ numeric: true, min: 1, max: 4000, distinct: 4000 });
    expect(column(c, 'quantity').numeric).toBe(true);
    const region = column(c, 'region');
    expect(region).toMatchObject({ numeric: false, distinct: 5 });
    expect(region.values).toHaveLength(5);
    expect(region.values.reduce((s, v) => s + v.count, 0)).toBe(4000);
    expect(
      column(c, 'merchant_id')
        .values.map((v) => v.value)
        .sort(),
    ).toEqual(['m1', 'm2', 'm3', 'm4']);

    const small = await check(['--dataset', `customers=${at('customers.csv')}`, '--values', '2']);
    expect(column(small, 'age')).toMatchObject({ missing: 2, numeric: true, min: 34, max: 51 });
    expect(column(small, 'spend')).toMatchObject({ missing: 2, numeric: true, min: 7, max: 12.5 });
    expect(column(small, 'region').values).toEqual([
      { value: 'north', count: 2 },
      { value: 'east', count: 1 },
    ]);
  });

  it("check without --dataset reads the node's config: the policy's columns only, exclude marked", async () => {
    writeFileSync(
      at('policy.yaml'),
      [
        'analysts: {}',
        'datasets:',
        '  orders: { columns: [order_id, customer_id, region, order_value, returned] }',
        'grants:',
        '  - { id: g, analysts: ["*"], purposes: [train], datasets: [orders], expires: 2099-01-01 }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      at('participant.yaml'),
      [
        'name: merchant-a',
        'coordinator: 127.0.0.1:7443',
        'participantId: p-test',
        'identityKey: ./identity.key',
        'datasets:',
        '  orders: { type: csv, path: ./orders.csv, exclude: [customer_id] }',
        '  customers: { type: csv, path: ./customers.csv }',
        'policy: ./policy.yaml',
        '',
      ].join('\n'),
    );
    const c = await check(['--config', at('participant.yaml')]);
    expect(c.datasets.map((d) => d.name)).toEqual(['orders', 'customers']);
    const orders = c.datasets[0]!;
    expect(orders.columns.map((x) => x.name)).toEqual(['order_id', 'customer_id', 'region', 'order_value', 'returned']);
    expect(orders.exclude).toEqual(['customer_id']);
    const only = await check(['--config', at('participant.yaml'), '--dataset', 'customers']);
    expect(only.datasets.map((d) => d.name)).toEqual(['customers']);

    const human = await runCli(['participant', 'data', 'check', '--config', at('participant.yaml')]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`orders: ${at('orders.csv')}, 4000 rows, 5 columns`);
    expect(human.stdout).toMatch(/column\s+type\s+missing\s+distinct\s+range or frequent values/);
    expect(human.stdout).toContain('customer_id (excluded)');
    expect(human.stdout).toMatch(/order_id\s+VARCHAR\s+0\s+4000\s+1 \.\. 4000/);
  });

  it('check names a missing file, a bad --dataset and a missing config, and exits 1', async () => {
    const missing = await runCli(['participant', 'data', 'check', '--dataset', `orders=${at('nope.csv')}`, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`error: ${at('nope.csv')}: file not found; check the path`);
    const bad = await runCli(['participant', 'data', 'check', '--dataset', 'orders=']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--dataset "orders=" names no source');
    const noConfig = await runCli(['participant', 'data', 'check', '--config', at('none.yaml')]);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain(at('none.yaml'));
    const unknown = await runCli([
      'participant',
      'data',
      'check',
      '--config',
      at('participant.yaml'),
      '--dataset',
      'x',
    ]);
    expect(unknown.stderr).toContain('has no data set "x" (it has: orders, customers)');
  });

  it('import writes the same data to Parquet (text, or typed numbers with --types infer)', async () => {
    const r = await runCli([
      'participant',
      'data',
      'import',
      '--input',
      at('orders.csv'),
      '--out',
      at('orders.parquet'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const text = JSON.parse(r.stdout);
    expect(text).toMatchObject({ file: at('orders.parquet'), source: at('orders.csv'), rows: 4000, types: 'text' });
    expect(text.columns.map((c: Column) => c.type)).toEqual(ORDER_COLUMNS.map(() => 'VARCHAR'));

    const typed = await runCli([
      'participant',
      'data',
      'import',
      '--input',
      at('orders.csv'),
      '--out',
      at('typed.parquet'),
      '--types',
      'infer',
    ]);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toContain(`wrote 4000 rows of ${at('orders.csv')} to ${at('typed.parquet')}`);
    expect(typed.stdout).toContain('order_id BIGINT, customer_id VARCHAR');
    expect(typed.stdout).toContain('unit_price DOUBLE');

    // the round trip: every column's summary is the CSV's (counts, ranges, frequent values)
    const fromCsv = await check(['--dataset', `o=${at('orders.csv')}`]);
    for (const file of ['orders.parquet', 'typed.parquet']) {
      const fromParquet = await check(['--dataset', `o=${at(file)}`]);
      const strip = (c: Check) => c.datasets[0]!.columns.map(({ type: _, ...rest }) => rest);
      expect(strip(fromParquet)).toEqual(strip(fromCsv));
    }
    const bad = await runCli([
      'participant',
      'data',
      'import',
      '--input',
      at('orders.csv'),
      '--out',
      at('x.parquet'),
      '--types',
      'guess',
    ]);
    expect(bad.stderr).toContain('--types must be text or infer, got "guess"');
  });

  it('check reads a SQLite table (sqlite:FILE#TABLE or sqlite:FILE:TABLE)', async () => {
    const db = new Database(at('shop.db'));
    db.exec('CREATE TABLE sales (id INTEGER, amount REAL, who TEXT)');
    const insert = db.prepare('INSERT INTO sales VALUES (?, ?, ?)');
    for (let i = 1; i <= 50; i++) insert.run(i, i / 2, i % 5 ? `c${i % 3}` : null);
    db.close();
    for (const form of [`sqlite:${at('shop.db')}#sales`, `sqlite:${at('shop.db')}:sales`]) {
      const c = await check(['--dataset', `sales=${form}`]);
      expect(c.datasets[0]).toMatchObject({ name: 'sales', rows: 50, source: `${at('shop.db')} table "sales"` });
      expect(column(c, 'amount')).toMatchObject({ numeric: true, min: 0.5, max: 25 });
      expect(column(c, 'who')).toMatchObject({ missing: 10, distinct: 3 });
    }
  });

  it('runs from the built tessera command as the contract check does', () => {
    requireBuild();
    const r = tessera(['participant', 'data', 'check', '--dataset', `orders=${at('orders.csv')}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as Check;
    expect(c.datasets[0]).toMatchObject({ name: 'orders', rows: 4000 });
    const gone = tessera(['participant', 'data', 'check', '--dataset', `orders=${at('gone.parquet')}`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`${at('gone.parquet')}: file not found`);
  });
});
