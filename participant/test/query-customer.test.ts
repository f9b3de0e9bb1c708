import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@tessera/crypto';
import { toCsv, type RawTable } from '@tessera/data';
import { parseQuerySpec } from '@tessera/jobs';
import { declaredQueryToProto } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { LocalData } from '../src/local-data.js';
import { runQueryLocally } from '../src/query-compute.js';
import { joinedRegExp } from '@tessera/test-support';

const REGIONS = ['north', 'south', 'east', 'west'];
const COLUMNS = ['customer_id', 'region', 'order_value', 'status'];

/**
 * 400 customers with 1 to 5 orders each, and (optionally) customer "whale" with 50 orders of 300 spread through the
 * file.
 */
function orders(withWhale: boolean): RawTable {
  const rng = seededRandom('query-customer/orders');
  const rows: string[][] = [];
  for (let c = 0; c < 400; c++) {
    const n = 1 + rng.int(5);
    for (let k = 0; k < n; k++)
      rows.push([`m1-${String(c).padStart(6, '0')}`, REGIONS[rng.int(4)], (rng.int(40000) / 100).toFixed(2), 'paid']);
  }
  const at = Array.from({ length: 50 }, () => rng.int(rows.length));
  if (withWhale)
    at.sort((a, b) => b - a).forEach((i, k) => rows.splice(i, 0, ['whale', REGIONS[k % 4], '300.00', 'paid']));
  return { source: 'orders.csv', columns: COLUMNS, rows, lineOf: (i) => i + 2 };
}

describe("customer-level queries through the participant's local path: a customer with 50 orders", () => {
  const tmp = tempDir('tessera-query-customer-');
  afterAll(() => tmp.cleanup());
  const dataOf = (t: RawTable, name: string): LocalData => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(t));
    return new LocalData({ orders: { type: 'csv', path, exclude: [] } });
  };
  const withWhale = dataOf(orders(true), 'with');
  const without = dataOf(orders(false), 'without');
  afterAll(async () => {
    await withWhale.close();
    await without.close();
  });
  const spec = (privacy: object) => ({
    kind: 'query',
    sql: 'SELECT region, COUNT(*), SUM(order_value) FROM orders GROUP BY region',
    bounds: { order_value: [0, 500] },
    domains: { region: REGIONS },
    privacy: { mode: 'distributed', epsilon: 1, ...privacy },
  });
  /** The DP path: the task carries the spec; the vector comes back normalised by each coordinate's per-record bound. */
  const task = (privacy: object) => ({
    dataset: 'orders',
    specJson: JSON.stringify(spec(privacy)),
    query: { dpLevel: 4096, maxRecords: 1_000_000 },
  });
  /** The change the customer makes, with the participant's secret draw the same in both runs (coupled randomness). */
  const move = async (privacy: object) => {
    const t = task(privacy);
    const a = (await runQueryLocally(withWhale, t, undefined, seededRandom('participant-secret'))).vector!;
    const b = (await runQueryLocally(without, t, undefined, seededRandom('participant-secret'))).vector!;
    const { plan } = parseQuerySpec(spec(privacy));
    const width = plan.groups.slots.length;
    let count = 0,
      sum = 0,
      l2 = 0;
    for (let g = 0; g < plan.groups.count; g++) {
      count += (a[g * width] - b[g * width]) * plan.scale[g * width];
      sum += (a[g * width + 1] - b[g * width + 1]) * plan.scale[g * width + 1];
    }
    for (let i = 0; i < a.length; i++) l2 += (a[i] - b[i]) ** 2;
    return { count, sum, l2: Math.sqrt(l2), plan };
  };

  it("with maxRowsPerUser 1 moves COUNT by 1 and SUM by one order's bound at most: the sensitivity", async () => {
    const m = await move({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 });
    expect(m.plan.sensitivity).toBeCloseTo(Math.SQRT2, 12); // a row adds to its group's row count and sum
    expect(m.count).toBeCloseTo(1, 9);
    expect(m.sum).toBeCloseTo(300, 6);
    expect(m.l2).toBeLessThanOrEqual(m.plan.sensitivity + 1e-9);
  });

  it('with maxRowsPerUser 3: at most 3 orders, within 3 x the record sensitivity', async () => {
    const m = await move({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 3 });
    expect(m.count).toBeCloseTo(3, 9);
    expect(m.sum).toBeCloseTo(900, 6);
    expect(m.l2).toBeLessThanOrEqual(m.plan.sensitivity + 1e-9);
    expect(m.plan.sensitivity).toBeCloseTo(3 * Math.SQRT2, 12);
  });

  it(
    'without the cap (unit record) the same customer moves COUNT by 50 and SUM by 50 orders: ' +
      '50x the capped sensitivity, far beyond the record-level one',
    async () => {
      const capped = await move({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 });
      const record = await move({});
      expect(record.count).toBeCloseTo(50, 9);
      expect(record.sum).toBeCloseTo(50 * 300, 6);
      expect(record.count / capped.count).toBeCloseTo(50, 9);
      expect(record.plan.sensitivity).toBeCloseTo(capped.plan.sensitivity, 12);
      expect(record.l2).toBeGreaterThan(10 * record.plan.sensitivity);
    },
  );

  it('refuses a data set without the user column, naming it, before computing anything', async () => {
    await expect(
      runQueryLocally(withWhale, task({ unit: 'customer', userColumn: 'client', maxRowsPerUser: 1 })),
    ).rejects.toThrow(
      joinedRegExp(
        /privacy\.userColumn "client" is not a column of table orders .*its columns are: /,
        /customer_id, region, order_value, status/,
      ),
    );
  });

  it('plans from the declared query when the task carries no spec, with the same unit', async () => {
    const { spec: s } = parseQuerySpec(spec({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 }));
    const declared = {
      dataset: 'orders',
      query: {
        ...declaredQueryToProto({
          sql: s.sql,
          options: s.options,
          unit: { unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 },
        }),
        dpLevel: 4096,
      },
    };
    const a = (await runQueryLocally(withWhale, declared, undefined, seededRandom('k'))).vector!;
    const b = (
      await runQueryLocally(
        withWhale,
        task({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 }),
        undefined,
        seededRandom('k'),
      )
    ).vector!;
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe("a data set's declared customer key", () => {
  const tmp = tempDir('tessera-customer-key-');
  const path = join(tmp.dir, 'orders.csv');
  writeFileSync(path, toCsv(orders(true)));
  const data = new LocalData({ orders: { type: 'csv', path, exclude: [], customerKey: 'customer_id' } });
  afterAll(async () => {
    await data.close();
    tmp.cleanup();
  });
  const task = (userColumn: string) => ({
    dataset: 'orders',
    specJson: JSON.stringify({
      kind: 'query',
      sql: 'SELECT region, COUNT(*) FROM orders GROUP BY region',
      domains: { region: REGIONS },
      privacy: { mode: 'distributed', epsilon: 1, unit: 'customer', userColumn, maxRowsPerUser: 2 },
    }),
    query: { dpLevel: 4096, maxRecords: 1_000_000 },
  });

  it('refuses a customer-unit query that caps rows by another column, naming both', async () => {
    await expect(runQueryLocally(data, task('status'), undefined, seededRandom('k'))).rejects.toThrow(
      /declared "customer_id" as the customer key of data set "orders", and the query caps rows by "status"/,
    );
  });

  it('answers one that caps by it', async () => {
    const r = await runQueryLocally(data, task('customer_id'), undefined, seededRandom('k'));
    expect(r.vector!.length).toBe(REGIONS.length);
  });

  it('refuses to open when the declared key is not a served column', async () => {
    const wrong = new LocalData({ orders: { type: 'csv', path, exclude: [], customerKey: 'client' } });
    await expect(wrong.open()).rejects.toThrow(/customerKey names a column this data does not serve/);
    await wrong.close();
  });
});
