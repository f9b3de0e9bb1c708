import type { Query } from '@tessera/analytics';
import { planQuery } from '@tessera/analytics';
import { DataError } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine } from '../src/index.js';
import { fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// Analyst text never becomes SQL: names are checked against the schema before any SQL is built, literals are bound.

const TABLE = {
  source: 't.csv',
  columns: ['region', 'value', 'note'],
  rows: [
    ['north', '10', "x'; DROP TABLE t; --"],
    ['south', '20', 'plain'],
    ['north', '30', 'a" OR 1=1 --'],
  ],
  lineOf: (i: number) => i + 2,
};
const count = (where?: Query['where'], groupBy: string[] = []): Query => ({
  sql: 'hand-built',
  items: [...groupBy.map((column) => ({ kind: 'column' as const, column })), { kind: 'aggregate', fn: 'COUNT' }],
  table: 't',
  groupBy,
  ...(where ? { where } : {}),
});

describe('evaluateQuery refuses unknown names and binds values', () => {
  const dir = scratch();
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    await registerTable(engine, dir.dir, 't', TABLE);
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });
  const tempTables = async () =>
    Number(
      (await engine.connection.runAndReadAll('SELECT count(*) FROM duckdb_tables() WHERE temporary')).getRows()[0]![0],
    );

  const injections = [
    'value" FROM t; DROP TABLE t; --',
    'region"',
    '"region"',
    'region, note',
    'REGION',
    "value') OR 1=1 --",
  ];
  for (const name of injections) {
    it(`refuses the column name ${JSON.stringify(name)} in WHERE, GROUP BY, aggregates, the customer key`, async () => {
      const where = { kind: 'compare' as const, column: name, op: '=' as const, value: 1 };
      const plans = [
        planQuery(count(where), { bounds: {}, domains: {} }),
        planQuery(count(undefined, [name]), { bounds: {}, domains: { [name]: ['north'] } }),
        planQuery(
          { sql: 'hand-built', items: [{ kind: 'aggregate', fn: 'SUM', column: name }], table: 't', groupBy: [] },
          { bounds: { [name]: [0, 1] }, domains: {} },
        ),
        planQuery(count(), { bounds: {}, domains: {} }, { unit: 'customer', userColumn: name, maxRowsPerUser: 1 }),
      ];
      for (const plan of plans) {
        const refused = evaluateQuery(engine, 't', plan, fixedRandom());
        await expect(refused).rejects.toBeInstanceOf(DataError);
        await expect(refused).rejects.toThrow(/there is no such column \(the columns are: region, value, note\)/);
      }
      expect(await tempTables()).toBe(0);
      expect(engine.describe('t').rows).toBe(3);
    });
  }

  it('compares quotes and SQL in string literals as values (bound parameters), not as SQL', async () => {
    for (const value of ["x'; DROP TABLE t; --", 'a" OR 1=1 --', "' OR '1'='1"]) {
      const plan = planQuery(count({ kind: 'in', column: 'note', values: [value, 'plain'] }), {
        bounds: {},
        domains: {},
      });
      const out = await evaluateQuery(engine, 't', plan, fixedRandom());
      expect([...out.vector]).toEqual([...oracle(plan, TABLE).vector]);
    }
    const exact = planQuery(count({ kind: 'compare', column: 'note', op: '=', value: "x'; DROP TABLE t; --" }), {
      bounds: {},
      domains: {},
    });
    expect([...(await evaluateQuery(engine, 't', exact, fixedRandom())).vector]).toEqual([1]);
  });

  it('looks declared domain values up as data (a temporary table), and drops its temporary tables', async () => {
    const plan = planQuery(count(undefined, ['note']), {
      bounds: {},
      domains: { note: ["x'; DROP TABLE t; --", 'plain', 'a" OR 1=1 --'] },
    });
    const out = await evaluateQuery(engine, 't', plan, fixedRandom());
    expect([...out.vector]).toEqual([1, 1, 1]);
    expect(await tempTables()).toBe(0);
    expect(engine.describe('t').rows).toBe(3);
  });
});
