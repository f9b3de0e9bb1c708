import { join } from 'node:path';
import { parseQuery, planQuery, type QueryOptions } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import type { RawTable } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactClamp, exactSumSql } from '../src/query/exact-sum.js';
import { evaluateQuery, LocalEngine, quoteLiteral } from '../src/index.js';
import { difference, fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// Sums of integer and DECIMAL columns computed in the column's own type (exact-sum.ts) equal the JavaScript path's
// sums of the cells' doubles, with clamping on both sides, NULL cells, extreme values and bounds the type cannot
// hold (which fall back to the fixed-point sum of the double).

describe('exactSumSql', () => {
  const column = () => 'v';
  it('clamps and sums in the column type when the bounds are exact in it', () => {
    const sum = exactSumSql(column, 'DECIMAL(12,2)', [0, 5000], 'sum');
    expect(sum?.scale).toBe(2);
    expect(sum?.sql).toContain("CAST('5000.00' AS DECIMAL(12,2))");
    expect(exactSumSql(column, 'DECIMAL(12,2)', [-0.25, 0.75], 'sq')?.scale).toBe(4);
    expect(exactSumSql(column, 'INTEGER', [-5, 20], 'sq')?.sql).toMatch(
      /^sum\(\(CAST\(\(CASE .* AS BIGINT\) \* CAST\(/,
    );
    expect(exactSumSql(column, 'TINYINT', [-128, 127], 'sum')?.scale).toBe(0);
  });

  it('falls back when a bound is not exact in the type or a term could overflow', () => {
    expect(exactSumSql(column, 'DECIMAL(12,2)', [0.1, 5000], 'sum')).toBeUndefined(); // 0.1 is no hundredth
    expect(exactSumSql(column, 'DECIMAL(4,2)', [0, 100], 'sum')).toBeUndefined(); // 100 needs 5 digits
    expect(exactSumSql(column, 'DECIMAL(20,2)', [0, 100], 'sum')).toBeUndefined(); // 128-bit decimal
    expect(exactSumSql(column, 'INTEGER', [0, 2.5], 'sum')).toBeUndefined();
    expect(exactSumSql(column, 'TINYINT', [0, 128], 'sum')).toBeUndefined();
    expect(exactSumSql(column, 'UINTEGER', [-1, 10], 'sum')).toBeUndefined();
    expect(exactSumSql(column, 'HUGEINT', [0, 10], 'sum')).toBeUndefined();
    expect(exactSumSql(column, 'DOUBLE', [0, 10], 'sum')).toBeUndefined();
    expect(exactSumSql(column, 'BIGINT', [0, 2 ** 32], 'sq')).toBeUndefined(); // a square of 2^64
    expect(exactSumSql(column, 'DECIMAL(18,4)', [0, 1e9], 'sq')).toBeUndefined(); // a square of 10^26 units
  });
});

describe('exactClamp', () => {
  it('counts the clamped values a column can take, for bounds exact in its type only', () => {
    expect(exactClamp('DECIMAL(12,2)', [0, 1000])?.values).toBe(100_001n);
    expect(exactClamp('TINYINT', [-100, 100])?.values).toBe(201n);
    expect(exactClamp('TINYINT', [-100, 100])?.sql('v')).toBe(
      '(CASE WHEN v < CAST(-100 AS TINYINT) THEN CAST(-100 AS TINYINT) WHEN v > CAST(100 AS TINYINT) ' +
        'THEN CAST(100 AS TINYINT) ELSE v END)',
    );
    expect(exactClamp('DECIMAL(12,2)', [0, 0.1])).toBeUndefined();
    expect(exactClamp('DOUBLE', [0, 1])).toBeUndefined();
  });
});

function rows(n: number): RawTable {
  const rng = seededRandom('query-exact-sums');
  const out: string[][] = [];
  const maybe = (text: string) => (rng.float() < 0.06 ? '' : text);
  for (let i = 0; i < n; i++) {
    out.push([
      ['a', 'b', 'c'][rng.int(3)]!,
      maybe((rng.int(1_200_000) / 100 - 1000).toFixed(2)), // amount DECIMAL(12,2)
      maybe(String(rng.int(256) - 128)), // small TINYINT
      maybe(String(rng.int(2 ** 31) * (rng.float() < 0.5 ? -1 : 1))), // big INTEGER
      maybe((rng.int(2 ** 20) * 1e4 + rng.int(10_000)).toString().replace(/(\d{4})$/, '.$1')), // wide DECIMAL(18,4)
    ]);
  }
  return { source: 'exact.csv', columns: ['g', 'amount', 'small', 'big', 'wide'], rows: out, lineOf: (i) => i + 2 };
}

const OPTIONS: QueryOptions = {
  bounds: { amount: [-250.5, 9000.25], small: [-100, 100], big: [-(2 ** 31), 2 ** 31 - 1], wide: [0, 2 ** 19] },
  domains: { g: ['a', 'b', 'c'] },
};
const QUERIES = [
  'SELECT g, COUNT(*), COUNT(amount), SUM(amount), AVG(small), VARIANCE(amount), VARIANCE(small) FROM t GROUP BY g',
  'SELECT SUM(big), AVG(big), SUM(wide), VARIANCE(wide) FROM t',
  'SELECT g, AVG(amount) FROM t WHERE small > 0 GROUP BY g',
];
// Histograms and quantiles: amount [0, 1000] and small have few clamped values (counted per value, then binned);
// wide has too many, and two sections are binned row by row.
const BINNED: QueryOptions = {
  bounds: { amount: [0, 1000], small: [-100, 100], big: [-(2 ** 31), 2 ** 31 - 1], wide: [0, 2 ** 19] },
  domains: { g: ['a', 'b', 'c'] },
  bins: { small: [-100, -3, 0, 1, 5, 100] },
};
const BINNED_QUERIES = [
  'SELECT HISTOGRAM(amount) FROM t',
  'SELECT QUANTILES(small) FROM t',
  'SELECT HISTOGRAM(small) FROM t',
  'SELECT COUNT(*), SUM(amount), AVG(small), VARIANCE(amount), HISTOGRAM(amount) FROM t WHERE big > 0',
  'SELECT HISTOGRAM(amount), HISTOGRAM(small) FROM t',
  'SELECT HISTOGRAM(wide), QUANTILES(amount) FROM t',
];
const FALLBACK: QueryOptions = {
  ...OPTIONS,
  bounds: { ...OPTIONS.bounds, amount: [-250.1, 9000.3], small: [0, 99.5] },
};

describe('exact sums of typed Parquet columns equal the JavaScript path', () => {
  const dir = scratch();
  const table = rows(4000);
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    const csv = await registerTable(engine, dir.dir, 'csv', table);
    const parquet = join(dir.dir, 'exact.parquet');
    await engine.connection.run(
      'COPY (SELECT g, TRY_CAST(amount AS DECIMAL(12,2)) AS amount, TRY_CAST(small AS TINYINT) AS small, ' +
        'TRY_CAST(big AS INTEGER) AS big, TRY_CAST(wide AS DECIMAL(18,4)) AS wide ' +
        `FROM read_csv(${quoteLiteral(csv)}, all_varchar = true)) TO ${quoteLiteral(parquet)} (FORMAT parquet)`,
    );
    await engine.register('parquet', { type: 'parquet', path: parquet });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  it('reads the columns with the types under test', () => {
    const types = Object.fromEntries(engine.describe('parquet').columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      g: 'VARCHAR',
      amount: 'DECIMAL(12,2)',
      small: 'TINYINT',
      big: 'INTEGER',
      wide: 'DECIMAL(18,4)',
    });
  });

  const cases: [string, QueryOptions][] = [
    ...QUERIES.flatMap((q): [string, QueryOptions][] => [
      [q, OPTIONS],
      [q, FALLBACK],
    ]),
    ...BINNED_QUERIES.map((q): [string, QueryOptions] => [q, BINNED]),
  ];
  it.each(cases)('%s', async (sql, options) => {
    const plan = planQuery(parseQuery(sql), options);
    const fromParquet = await evaluateQuery(engine, 'parquet', plan, fixedRandom());
    const fromCsv = await evaluateQuery(engine, 'csv', plan, fixedRandom());
    expect(difference(plan, fromParquet.vector, oracle(plan, table).vector)).toBeUndefined();
    expect(difference(plan, fromParquet.vector, fromCsv.vector)).toBeUndefined();
    expect(fromParquet.contributing).toBeGreaterThan(1000);
  });
});
