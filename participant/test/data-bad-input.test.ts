// Bad input at the participant (issue 21), each a clear error naming the source: a column the consent policy hides,
// a malformed Parquet file, a CSV beyond the JavaScript path's 64 MiB with a broken line near its end, and
// identifiers that try SQL injection (refused by the schema check before the engine computes anything). A wrong
// PostgreSQL password is in postgres-source.test.ts, beside its cluster.
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery, planQuery } from '@tessera/analytics';
import { generateSigningKeyPair, seededRandom } from '@tessera/crypto';
import { DataError } from '@tessera/data';
import { evaluateQuery } from '@tessera/engine';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../coordinator/test/helpers.js';
import { parseParticipantConfig } from '../src/config.js';
import { LocalData } from '../src/local-data.js';
import { ParticipantNode } from '../src/node.js';
import { runQueryLocally } from '../src/query-compute.js';

const tmp = tempDir('tessera-bad-input-');
afterAll(() => tmp.cleanup());

const REGIONS = ['north', 'south', 'east', 'west'];
const ORDERS = ['order_id,customer_id,region,order_value,channel'];
for (let i = 1; i <= 400; i++)
  ORDERS.push(`${i},c${i % 37},${REGIONS[i % 4]},${((i * 7919) % 50_000) / 100},${i % 3 ? 'web' : 'store'}`);

/** A query task without DP (exact sums), from a query job spec. */
const task = (sql: string, extra: object = {}) => ({
  dataset: 'orders',
  specJson: JSON.stringify({
    kind: 'query',
    sql,
    bounds: { order_value: [0, 500] },
    domains: { region: REGIONS },
    ...extra,
  }),
});

/** The error a promise rejects with (it must reject). */
async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe('a column the consent policy hides', () => {
  let node: ParticipantNode;
  beforeAll(async () => {
    const dir = join(tmp.dir, 'policy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'orders.csv'), `${ORDERS.join('\n')}\n`);
    writeFileSync(
      join(dir, 'policy.yaml'),
      [
        'datasets:',
        '  orders: { columns: [order_id, region, channel], allowWithoutPrivacy: true }',
        'grants:',
        '  - { id: all, analysts: ["*"], purposes: [query], expires: 2099-01-01 }',
        '',
      ].join('\n'),
    );
    const config = parseParticipantConfig(
      {
        name: 'shop',
        coordinator: '127.0.0.1:1',
        participantId: 'p-1',
        identityKey: 'identity.key',
        policy: 'policy.yaml',
        datasets: { orders: { type: 'csv', path: 'orders.csv' } },
      },
      'node.yaml',
      dir,
    );
    node = new ParticipantNode({ config: { ...config, ledger: ':memory:' }, identity: generateSigningKeyPair() });
    await node.data.open();
  });
  afterAll(async () => {
    await node?.stop();
    await node?.data.close();
  });

  it('is not served: a query using it is refused naming the column, and the engine computes nothing', async () => {
    expect(node.data.columnNames('orders')).toEqual(['order_id', 'region', 'channel']);
    const connect = vi.spyOn(node.data.engine, 'connect');
    const err = await failure(
      runQueryLocally(node.data, task('SELECT region, SUM(order_value) FROM orders GROUP BY region')),
    );
    expect(err.message).toMatch(/column "order_value"/);
    expect(err.message).toMatch(/orders\.csv/);
    expect(err.message).toMatch(/does not serve/);
    expect(err.message).toMatch(/policy\.yaml/);
    expect(connect).not.toHaveBeenCalled();
    // The columns it serves still answer.
    const ok = await runQueryLocally(node.data, task('SELECT region, COUNT(*) FROM orders GROUP BY region'));
    expect(Array.from(ok.vector!)).toEqual([100, 100, 100, 100]);
    expect(connect).toHaveBeenCalledTimes(1);
    connect.mockRestore();
  });
});

describe('a malformed Parquet file', () => {
  it("fails the node's data at open with a DataError naming the file", async () => {
    const path = join(tmp.dir, 'orders.parquet');
    // Parquet's magic at both ends, nothing readable in between.
    writeFileSync(path, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
    const data = new LocalData({ orders: { type: 'parquet', path, exclude: [] } });
    const err = await failure(data.open());
    await data.close();
    expect(err).toBeInstanceOf(DataError);
    expect(err.message.startsWith(path)).toBe(true);
    expect(err.message).toMatch(/parquet/i);
    const text = join(tmp.dir, 'text.parquet');
    writeFileSync(text, `${ORDERS.join('\n')}\n`);
    const other = new LocalData({ orders: { type: 'parquet', path: text, exclude: [] } });
    const err2 = await failure(other.open());
    await other.close();
    expect(err2).toBeInstanceOf(DataError);
    expect(err2.message.startsWith(text)).toBe(true);
  });
});

describe('a CSV over 64 MiB (read by the engine only) with a broken line near its end', () => {
  it('fails at open naming the file and the line', async () => {
    const path = join(tmp.dir, 'large.csv');
    const fd = openSync(path, 'w');
    let line = 1;
    writeSync(fd, 'order_id,customer_id,region,order_value\n');
    const target = 64 * 2 ** 20 + 2 ** 20;
    let bytes = 0;
    let broken = 0;
    while (bytes < target) {
      const chunk: string[] = [];
      for (let k = 0; k < 50_000; k++) {
        line++;
        chunk.push(`${line - 1},c${line % 9973},${REGIONS[line % 4]},${line % 1000}.25`);
      }
      if (bytes + 2 * 2 ** 20 > target && !broken) {
        // one field too many, 10 lines before the end of this last chunk
        broken = line - 10;
        chunk[chunk.length - 11] = `${broken - 1},c1,north,1.25,extra`;
      }
      const text = `${chunk.join('\n')}\n`;
      bytes += writeSync(fd, text);
    }
    closeSync(fd);
    expect(statSync(path).size).toBeGreaterThan(64 * 2 ** 20);
    expect(line - broken).toBeLessThan(100);
    const data = new LocalData({ orders: { type: 'csv', path, exclude: [] } });
    data.validate(); // beyond 64 MiB: left to the engine, not read by the JavaScript path
    const err = (await failure(data.open())) as DataError;
    await data.close();
    expect(err).toBeInstanceOf(DataError);
    expect(err.line).toBe(broken);
    expect(err.message).toBe(
      `${path} line ${broken}: expected 4 fields, found 5; fix this line (every line needs one field per header ` +
        'column, quotes closed)',
    );
  }, 30_000);
});

describe('identifiers that try SQL injection are refused by the schema check, and nothing is computed', () => {
  let data: LocalData;
  beforeAll(async () => {
    const path = join(tmp.dir, 'orders.csv');
    writeFileSync(path, `${ORDERS.join('\n')}\n`);
    data = new LocalData({ orders: { type: 'csv', path, exclude: [] } });
    await data.open();
  });
  afterAll(() => data?.close());

  const refused = async (t: object, column: string) => {
    const connect = vi.spyOn(data.engine, 'connect');
    try {
      const err = await failure(runQueryLocally(data, t, undefined, seededRandom('injection')));
      expect(err.message).toContain(`"${column}"`);
      expect(err.message).toMatch(/is not a column|unknown column/);
      expect(err.message).toContain('order_id, customer_id, region, order_value, channel');
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
    // The data is intact and still answers.
    const ok = await runQueryLocally(data, task('SELECT COUNT(*) FROM orders'));
    expect(Array.from(ok.vector!)).toEqual([400]);
  };

  it('a WHERE column that closes the quote: region" OR 1=1 --', async () => {
    const column = 'region" OR 1=1 --';
    await refused(task(`SELECT COUNT(*) FROM orders WHERE "region"" OR 1=1 --" = 'north'`), column);
  });

  it('an aggregated column that tries a second statement', async () => {
    const column = 'order_value"); DROP TABLE orders; --';
    const sql = `SELECT SUM("order_value""); DROP TABLE orders; --") FROM orders`;
    await refused(task(sql, { bounds: { [column]: [0, 500] } }), column);
  });

  it('a GROUP BY on such a name', async () => {
    const column = 'region" FROM orders UNION SELECT customer_id, 1 FROM orders --';
    const quoted = `"${column.replaceAll('"', '""')}"`;
    const sql = `SELECT ${quoted}, COUNT(*) FROM orders GROUP BY ${quoted}`;
    await refused(task(sql, { domains: { [column]: REGIONS } }), column);
  });

  it('a customer-unit userColumn with a quote', async () => {
    const column = 'customer_id" || (SELECT 1) || "';
    const t = {
      ...task('SELECT region, COUNT(*) FROM orders GROUP BY region', {
        privacy: { mode: 'distributed', epsilon: 1, unit: 'customer', userColumn: column, maxRowsPerUser: 1 },
      }),
      query: { dpLevel: 4096, maxRecords: 1_000_000 },
    };
    await refused(t, column);
  });

  it('the engine checks the names itself: a plan past the participant checks is refused before any SQL', async () => {
    const connect = vi.spyOn(data.engine, 'connect');
    try {
      for (const [sql, column, unit] of [
        [`SELECT COUNT(*) FROM orders WHERE "region"" OR 1=1 --" = 'north'`, 'region" OR 1=1 --'],
        ['SELECT region, COUNT(*) FROM orders GROUP BY region', 'customer_id"; --', 'customer'],
      ] as const) {
        const plan = planQuery(
          parseQuery(sql),
          { bounds: {}, domains: { region: REGIONS } },
          unit ? { unit, userColumn: column, maxRowsPerUser: 1 } : undefined,
        );
        const err = await failure(evaluateQuery(data.engine, 'orders', plan, seededRandom('engine')));
        expect(err).toBeInstanceOf(DataError);
        expect(err.message).toContain(column);
      }
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });
});

describe("a data set beyond the coordinator's maxRecords", () => {
  it('is refused for a private query (noise sized for maxRecords rows), served exactly without DP', async () => {
    const path = join(tmp.dir, 'records.csv');
    writeFileSync(path, `${ORDERS.join('\n')}\n`);
    const data = new LocalData({ orders: { type: 'csv', path, exclude: [] } });
    try {
      const sql = 'SELECT region, COUNT(*) FROM orders GROUP BY region';
      const exact = await runQueryLocally(data, { ...task(sql), query: { wideFractionBits: 32, maxRecords: 100 } });
      expect(Array.from(exact.vector!)).toEqual([100, 100, 100, 100]);
      const private_ = {
        ...task(sql, { privacy: { mode: 'distributed', epsilon: 1 } }),
        query: { dpLevel: 4096, maxRecords: 100 },
      };
      const err = await failure(runQueryLocally(data, private_));
      expect(err.message).toBe('data set "orders" has more rows than the 100 a private query\'s scale allows; refused');
    } finally {
      await data.close();
    }
  });
});
