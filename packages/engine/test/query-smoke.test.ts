import { parseQuery, planQuery } from '@tessera/analytics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine } from '../src/index.js';
import { difference, fixedRandom, oracle, registerTable, scratch } from './query-support.js';

const t = {
  source: 't.csv',
  columns: ['g', 'v', 'c', 'u'],
  rows: [
    ['a', '1', 'x', 'u1'],
    [' b ', ' 2.5 ', 'y', 'u1'],
    ['a', 'NA', 'x', 'u2'],
    ['c', '1e3', 'z', ''],
    ['b', '+2', 'x', 'u1'],
    ['a', '.5', 'q', 'u1'],
    ['b', 'abc', 'x', 'u3'],
  ],
  lineOf: (i: number) => i + 2,
};

describe('smoke', () => {
  let engine: LocalEngine;
  const s = scratch();
  beforeAll(async () => {
    engine = await LocalEngine.open();
    await registerTable(engine, s.dir, 't', t);
  });
  afterAll(async () => {
    await engine.close();
    s.cleanup();
  });
  const opts = { bounds: { v: [0, 100] as [number, number] }, domains: { g: ['a', 'b'], c: ['x', 'y', 'z'] } };
  for (const sql of [
    'SELECT g, COUNT(*), SUM(v), AVG(v), VARIANCE(v), COUNT(v) FROM t GROUP BY g',
    "SELECT COUNT(*), HISTOGRAM(v), HISTOGRAM(c), QUANTILES(v), TOP_K(c, 3) FROM t WHERE v > 1 OR c = 'x'",
    'SELECT COUNT(*), SUM(v) FROM t',
  ]) {
    for (const unit of [undefined, { unit: 'customer' as const, userColumn: 'u', maxRowsPerUser: 1 }]) {
      it(`${sql} ${unit ? 'customer' : 'record'}`, async () => {
        const plan = planQuery(parseQuery(sql), opts, unit);
        const js = oracle(plan, t);
        const out = await evaluateQuery(engine, 't', plan, fixedRandom());
        expect(difference(plan, out.vector, js.vector)).toBeUndefined();
        expect(out.cappedCustomers).toBe(js.capped.cappedCustomers);
        expect(out.unkeyedRows).toBe(js.capped.unkeyedRows);
      });
    }
  }
});
