import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { planQuery, type Query } from '@tessera/analytics';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine, quoteLiteral } from '../src/index.js';
import { KeyedPriority } from '../src/query/customer-priority.js';
import { fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// The customer unit's sample in the engine is capRowsPerUser's exactly: the same rows are kept, on CSV and on a
// Parquet file of many row groups read by four threads (row positions follow the file's order).

const ROWS = 60_000;

/** Rows with their own index; two big customers and many small ones, spread through the file; some rows unkeyed. */
function customers(): RawTable {
  const rng = seededRandom('query-customer/engine');
  const rows: string[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const r = rng.float();
    const who = r < 0.05 ? 'whale' : r < 0.07 ? ' dolphin ' : r < 0.072 ? 'NA' : `c${rng.int(5000)}`;
    rows.push([String(i), who, rng.float() < 0.8 ? 'paid' : 'refund']);
  }
  return { source: 'customers.csv', columns: ['idx', 'customer', 'status'], rows, lineOf: (i) => i + 2 };
}

describe("the engine's per-customer sample", () => {
  const dir = scratch();
  const table = customers();
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open({ threads: 4 });
    const csv = await registerTable(engine, dir.dir, 'csv', table);
    const parquet = join(dir.dir, 'customers.parquet');
    await engine.connection.run(
      'COPY (SELECT CAST(idx AS BIGINT) AS idx, customer, status ' +
        `FROM read_csv(${quoteLiteral(csv)}, all_varchar = true)) ` +
        `TO ${quoteLiteral(parquet)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    await engine.register('parquet', { type: 'parquet', path: parquet });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  // One histogram bin per row: the vector is the indicator of the kept rows.
  const query: Query = {
    sql: "SELECT HISTOGRAM(idx) FROM customers WHERE status = 'paid'",
    items: [{ kind: 'aggregate', fn: 'HISTOGRAM', column: 'idx' }],
    table: 'customers',
    where: { kind: 'compare', column: 'status', op: '=', value: 'paid' },
    groupBy: [],
  };
  const edges = Array.from({ length: ROWS + 1 }, (_, i) => i - 0.5);
  const plan = planQuery(
    query,
    { bounds: {}, domains: {}, bins: { idx: edges } },
    { unit: 'customer', userColumn: 'customer', maxRowsPerUser: 40 },
  );

  for (const dataset of ['csv', 'parquet']) {
    it(`keeps exactly the rows capRowsPerUser keeps (${dataset})`, async () => {
      for (const seed of [1, 2]) {
        const js = oracle(plan, table, fixedRandom(seed));
        const out = await evaluateQuery(engine, dataset, plan, fixedRandom(seed));
        const kept = (v: Float64Array) => [...v.subarray(plan.sectionsOffset)].flatMap((c, i) => (c ? [i] : []));
        expect(js.capped.cappedCustomers).toBe(2);
        expect(out.cappedCustomers).toBe(2);
        expect(out.unkeyedRows).toBe(js.capped.unkeyedRows);
        expect(out.unkeyedRows).toBeGreaterThan(0);
        expect(kept(out.vector)).toEqual(kept(js.vector));
        expect(out.contributing).toBe(js.capped.table.rows.length);
      }
      // A different key keeps different rows of the big customers.
      const a = await evaluateQuery(engine, dataset, plan, fixedRandom(1));
      const b = await evaluateQuery(engine, dataset, plan, fixedRandom(2));
      expect([...a.vector]).not.toEqual([...b.vector]);
    });
  }
});

describe('KeyedPriority', () => {
  it('equals createHmac for keys shorter and longer than a block, and any message', () => {
    for (const length of [0, 1, 32, 64, 65, 100]) {
      const key = randomBytes(length);
      const priority = new KeyedPriority(key);
      for (const [id, k] of [
        ['', 0],
        ['whale', 7],
        ['é\u0000x', 123456],
        ['c'.repeat(300), 1],
      ] as const) {
        const hmac = createHmac('sha256', key).update(`${id}\u0000${k}`).digest();
        expect(priority.of(id, k).equals(hmac)).toBe(true);
      }
    }
  });
});
