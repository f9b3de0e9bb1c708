import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, planQuery, runPooled } from '@tessera/analytics';
import { generateCommerce, type RawTable } from '@tessera/data';
import { createAnalystKeys, LocalFederation, runQuery } from '../src/index.js';
import { tempDir } from './helpers.js';

const REGIONS = ['north', 'south', 'east', 'west', 'central'];

/** Each merchant's customers: a non-IID split by merchant. */
function byMerchant(table: RawTable): RawTable[] {
  const m = table.columns.indexOf('merchant');
  const names = [...new Set(table.rows.map((r) => r[m]))];
  return names.map((name) => ({ ...table, rows: table.rows.filter((r) => r[m] === name) }));
}

describe('analytics queries through secure aggregation (3 merchants, synthetic customers)', () => {
  const tmp = tempDir();
  const table = generateCommerce({ merchants: 3, customersPerMerchant: [400, 700, 250], seed: 'query' });
  const shards = byMerchant(table);
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  const request = {
    sql:
      'SELECT region, COUNT(*), SUM(returns) AS returns, AVG(monetary_total), VARIANCE(avg_basket) ' +
      "FROM customers WHERE repurchase = 'yes' GROUP BY region",
    bounds: {
      returns: [0, 50] as [number, number],
      monetary_total: [0, 20000] as [number, number],
      avg_basket: [0, 1000] as [number, number],
    },
    domains: { region: REGIONS },
    minParticipants: 3,
  };

  it('with DP off equals the SQL on pooled data: counts and sums exactly, means and variances to 1e-9', async () => {
    const { result, job } = await runQuery(fed.analyst, { ...request, privacy: { mode: 'none' } });
    expect(job.status).toBe('completed');
    const pooled = runPooled(
      planQuery(parseQuery(request.sql), { bounds: request.bounds, domains: request.domains, minCount: 0 }),
      [table],
    );
    expect(result.rows.map((r) => r.region)).toEqual(pooled.rows.map((r) => r.region));
    for (const [i, row] of result.rows.entries()) {
      const want = pooled.rows[i];
      expect(row['COUNT(*)']).toBe(want['COUNT(*)']);
      expect(row.returns).toBe(want.returns);
      for (const k of ['AVG(monetary_total)', 'VARIANCE(avg_basket)']) {
        expect(Math.abs((row[k] as number) - (want[k] as number)) / Math.abs(want[k] as number)).toBeLessThan(1e-9);
      }
    }
    expect(result.privacy.epsilon).toBeNull();
  });

  it('sealed (DP off): the same exact answer, decoded by the analyst; the coordinator keeps no result', async () => {
    const keys = await createAnalystKeys();
    // A sealed query is its keys' analyst's: their identity signs the spec and the BFV key alike.
    const sealedAnalyst = await fed.addAnalyst('sealed-analyst', keys);
    const { result, job } = await runQuery(sealedAnalyst, { ...request, privacy: { mode: 'none' } }, { sealed: keys });
    expect(job.status).toBe('completed');
    expect(job.result).toBeUndefined();
    const pooled = runPooled(
      planQuery(parseQuery(request.sql), { bounds: request.bounds, domains: request.domains, minCount: 0 }),
      [table],
    );
    expect(result.rows.map((r) => r.region)).toEqual(pooled.rows.map((r) => r.region));
    for (const [i, row] of result.rows.entries()) {
      expect(row['COUNT(*)']).toBe(pooled.rows[i]['COUNT(*)']);
      expect(row.returns).toBe(pooled.rows[i].returns);
      expect(
        Math.abs((row['AVG(monetary_total)'] as number) - (pooled.rows[i]['AVG(monetary_total)'] as number)),
      ).toBeLessThan(1e-9 * (pooled.rows[i]['AVG(monetary_total)'] as number));
    }
  });

  it(
    'with distributed DP: noisy estimates with their standard deviations and 95% intervals, ' +
      'epsilon reported, small groups suppressed',
    async () => {
      const { result } = await runQuery(fed.analyst, {
        ...request,
        privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6 },
        minCount: 5,
      });
      expect(result.privacy).toMatchObject({
        epsilon: 2,
        delta: 1e-6,
        mode: 'distributed',
        unit: 'record',
        calibration: 'analytic-gaussian',
      });
      expect(result.privacy.userColumn).toBeUndefined();
      expect(result.rows.length + result.suppressed).toBe(REGIONS.length);
      for (const row of result.rows) {
        expect(row.stddev['COUNT(*)']).toBeGreaterThan(0);
        const [lo, hi] = row.ci95['COUNT(*)'];
        expect(lo).toBeLessThan(row['COUNT(*)'] as number);
        expect(hi).toBeGreaterThan(row['COUNT(*)'] as number);
      }
    },
  );

  it(
    'unit customer: the result states the unit, column and cap; the noise follows the cap; ' +
      'a missing user column is named',
    async () => {
      const sql = 'SELECT COUNT(*), SUM(returns) AS returns FROM customers';
      const q = { sql, bounds: request.bounds, minParticipants: 3, minCount: 0 };
      const record = await runQuery(fed.analyst, { ...q, privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6 } });
      const customer = await runQuery(fed.analyst, {
        ...q,
        privacy: {
          mode: 'distributed',
          epsilon: 2,
          delta: 1e-6,
          unit: 'customer',
          userColumn: 'customer_id',
          maxRowsPerUser: 2,
        },
      });
      expect(customer.result.privacy).toMatchObject({
        epsilon: 2,
        delta: 1e-6,
        mode: 'distributed',
        unit: 'customer',
        userColumn: 'customer_id',
        maxRowsPerUser: 2,
      });
      const ratio = customer.result.rows[0].stddev['COUNT(*)'] / record.result.rows[0].stddev['COUNT(*)'];
      expect(ratio).toBeGreaterThan(1.9);
      expect(ratio).toBeLessThan(2.1);
      await expect(
        runQuery(fed.analyst, {
          ...q,
          privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6, unit: 'customer', userColumn: 'client_id' },
        }),
      ).rejects.toThrow(/privacy\.userColumn "client_id" is not a column of table customers/);
      await expect(
        runQuery(fed.analyst, {
          ...q,
          privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6, userColumn: 'customer_id' },
        }),
      ).rejects.toThrow(/privacy\.userColumn: is set but privacy\.unit is record/);
    },
  );

  it('refuses bad queries before any participant reads data, naming the problem', async () => {
    await expect(runQuery(fed.analyst, { sql: 'SELECT AVG(monetary_total) FROM customers' })).rejects.toThrow(
      /sql: .*monetary_total.*bounds|bounds/,
    );
    await expect(
      runQuery(fed.analyst, { sql: 'SELECT region, COUNT(*) FROM customers GROUP BY region' }),
    ).rejects.toThrow(/domain/);
    await expect(runQuery(fed.analyst, { sql: 'SELECT COUNT(*) FRM customers' })).rejects.toThrow(
      /SQL at \d+ \("FRM"\)/,
    );
  });
});
