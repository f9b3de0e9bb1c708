import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery, planQuery, type PrivacyUnit, type QueryOptions } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import { toCsv, type RawTable } from '@tessera/data';
import { declaredQueryToProto } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { LocalData } from '../src/local-data.js';
import { runQueryLocally } from '../src/query-compute.js';
import {
  checkIdentifierUse,
  checkQueryRules,
  OPEN_QUERY_RULES,
  QueryGuardRefusal,
  type QueryRules,
} from '../src/query-guard.js';

const STRICT: QueryRules = { minGroupSize: 20, identifierColumns: [], allowIdentifierQueries: false };
const COLUMNS = ['customer_id', 'email', 'region', 'monetary_total', 'signup', 'segment'];
const OPTS: QueryOptions = {
  bounds: { monetary_total: [0, 5000] },
  domains: { region: ['north', 'south'], customer_id: ['m1-000001', 'm1-000002'], segment: ['a', 'b'] },
};

/** `n` customers: unique id, a shared email per pair, a region, a unique spend and a unique signup date. */
function customers(n: number): RawTable {
  const rows = Array.from({ length: n }, (_, i) => [
    `m1-${String(i + 1).padStart(6, '0')}`,
    `family${i >> 1}@example.com`,
    i % 3 ? 'north' : 'south',
    (100 + i * 7.31).toFixed(2),
    `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`,
    i % 2 ? 'a' : 'b',
  ]);
  return { source: 'customers.csv', columns: COLUMNS, rows, lineOf: (i) => i + 2 };
}

const plan = (sql: string, unit?: PrivacyUnit) => planQuery(parseQuery(sql), OPTS, unit);
function refusal(sql: string, rules: QueryRules, t: RawTable, unit?: PrivacyUnit): string {
  try {
    checkIdentifierUse(plan(sql, unit), t, rules, 'customers');
  } catch (e) {
    expect(e).toBeInstanceOf(QueryGuardRefusal);
    return (e as Error).message;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe("the participant's query guard: identifier-like columns", () => {
  const t = customers(60);

  it(
    'refuses filters and group keys on a column unique per row, ' +
      "naming it and the owner's setting, never a row count",
    () => {
      for (const sql of [
        "SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE customer_id = 'm1-000002'",
        "SELECT COUNT(*) FROM customers WHERE customer_id IN ('m1-000002', 'm1-000003')",
        "SELECT COUNT(*) FROM customers WHERE region = 'north' AND customer_id != 'm1-000002'",
        "SELECT COUNT(*) FROM customers WHERE customer_id >= 'm1-000002' AND customer_id <= 'm1-000002'",
        'SELECT customer_id, COUNT(*) FROM customers GROUP BY customer_id',
        'SELECT TOP_K(customer_id, 5) FROM customers',
        'SELECT HISTOGRAM(customer_id) FROM customers',
      ]) {
        const m = refusal(sql, STRICT, t);
        expect(m).toMatch(/column "customer_id"/);
        expect(m).toMatch(/unique per row/);
        expect(m).toMatch(/datasets\.customers\.allowIdentifierQueries: true in this node's consent policy/);
        expect(m, 'no row count in a refusal').not.toMatch(/\b(60|20)\b/);
      }
      expect(refusal('SELECT customer_id, COUNT(*) FROM customers GROUP BY customer_id', STRICT, t)).toMatch(
        /as a group key/,
      );
    },
  );

  it('on an ordered unique column (amounts, dates) allows range filters and refuses equality', () => {
    for (const sql of [
      'SELECT COUNT(*) FROM customers WHERE monetary_total > 300',
      "SELECT COUNT(*) FROM customers WHERE signup >= '2025-06-01' AND signup < '2025-07-01'",
    ])
      expect(() => checkIdentifierUse(plan(sql), t, STRICT, 'customers')).not.toThrow();
    expect(refusal('SELECT COUNT(*) FROM customers WHERE monetary_total = 114.62', STRICT, t)).toMatch(
      /column "monetary_total"/,
    );
    expect(
      refusal("SELECT COUNT(*) FROM customers WHERE monetary_total > 300 OR signup = '2025-02-01'", STRICT, t),
    ).toMatch(/column "signup"/);
  });

  it("refuses columns the owner lists, and the query's own customer key, even when not unique", () => {
    expect(() =>
      checkIdentifierUse(
        plan("SELECT COUNT(*) FROM customers WHERE email = 'family3@example.com'"),
        t,
        STRICT,
        'customers',
      ),
    ).not.toThrow();
    const listed = { ...STRICT, identifierColumns: ['email'] };
    expect(refusal("SELECT COUNT(*) FROM customers WHERE email > 'f'", listed, t)).toMatch(
      /column "email" as a filter, and the data owner lists it as an identifier/,
    );
    const unit: PrivacyUnit = { unit: 'customer', userColumn: 'email', maxRowsPerUser: 1 };
    expect(refusal("SELECT COUNT(*) FROM customers WHERE email = 'family3@example.com'", STRICT, t, unit)).toMatch(
      /customer key of this query \(privacy\.userColumn\)/,
    );
  });

  it(
    'lets everything through when the owner allows identifier queries, ' +
      'and judges no column unique in a small table',
    () => {
      const sql = "SELECT COUNT(*) FROM customers WHERE customer_id = 'm1-000002'";
      expect(() =>
        checkIdentifierUse(plan(sql), t, { ...STRICT, allowIdentifierQueries: true }, 'customers'),
      ).not.toThrow();
      expect(() => checkIdentifierUse(plan(sql), customers(19), STRICT, 'customers')).not.toThrow();
      expect(() =>
        checkIdentifierUse(plan('SELECT region, COUNT(*) FROM customers GROUP BY region'), t, STRICT, 'customers'),
      ).not.toThrow();
    },
  );

  it('checks the rules themselves, naming the bad setting', () => {
    expect(() => checkQueryRules({ ...STRICT, minGroupSize: -1 }, 'policy datasets.customers.queries')).toThrow(
      /policy datasets\.customers\.queries: minGroupSize/,
    );
    expect(() => checkQueryRules({ ...STRICT, identifierColumns: 'email' as never })).toThrow(
      /identifierColumns must be a list/,
    );
    expect(() => checkQueryRules({ ...STRICT, allowIdentifierQueries: 'yes' as never })).toThrow(
      /allowIdentifierQueries must be true or false/,
    );
    expect(checkQueryRules({ ...OPEN_QUERY_RULES, identifierColumns: [] })).toEqual(OPEN_QUERY_RULES);
  });
});

describe("the participant's query guard in runQueryLocally", () => {
  const tmp = tempDir('tessera-query-guard-');
  afterAll(async () => {
    await data.close();
    tmp.cleanup();
  });
  const path = join(tmp.dir, 'customers.csv');
  writeFileSync(path, toCsv(customers(60)));
  const data = new LocalData({ customers: { type: 'csv', path, exclude: [] } });
  const exactTask = (sql: string) => ({
    dataset: 'customers',
    query: { ...declaredQueryToProto({ sql, options: OPTS }), wideFractionBits: 20 },
  });

  it(
    'without DP, a group below the minimum group size contributes nothing, ' +
      'count included; larger groups are exact',
    async () => {
      const single = await runQueryLocally(
        data,
        exactTask("SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE segment = 'a' AND monetary_total < 150"),
        { ...STRICT, allowIdentifierQueries: true },
      );
      expect(Array.from(single.vector!)).toEqual([0, 0]);
      const open = await runQueryLocally(
        data,
        exactTask("SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE segment = 'a' AND monetary_total < 150"),
      );
      expect(open.vector![0]).toBe(3);
      const grouped = await runQueryLocally(
        data,
        exactTask('SELECT region, COUNT(*) FROM customers GROUP BY region'),
        STRICT,
      );
      expect(Array.from(grouped.vector!)).toEqual([40, 20]);
      const small = await runQueryLocally(data, exactTask('SELECT region, COUNT(*) FROM customers GROUP BY region'), {
        ...STRICT,
        minGroupSize: 21,
      });
      expect(Array.from(small.vector!)).toEqual([40, 0]);
    },
  );

  it("with DP the vector is left to the noise (and the coordinator's noisy-count suppression)", async () => {
    const sql = "SELECT COUNT(*) FROM customers WHERE segment = 'a' AND monetary_total < 150";
    const task = {
      dataset: 'customers',
      query: { ...declaredQueryToProto({ sql, options: OPTS }), dpLevel: 1024 },
    };
    expect(Array.from((await runQueryLocally(data, task, STRICT, seededRandom('x'))).vector!)).toEqual([3]);
  });

  it("refuses the single-customer query of the issue before computing, with the owner's rules", async () => {
    await expect(
      runQueryLocally(
        data,
        exactTask("SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE customer_id = 'm1-000002'"),
        STRICT,
      ),
    ).rejects.toThrow(/column "customer_id" as a filter/);
  });
});
