import { join } from 'node:path';
import { parseQuery, planQuery, type QueryOptions } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import type { RawTable } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine, quoteLiteral } from '../src/index.js';
import { difference, fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// DOUBLE and FLOAT columns holding NaN, +-Infinity and NULL among values inside and outside the bounds: their counts,
// clamped sums and histograms (finiteClampSql, one CASE for the finite test and the clamp) equal the JavaScript path,
// which reads a non-finite cell as no number.

const SPECIAL = ['NaN', 'Infinity', '-Infinity', ''];

function rows(n: number): RawTable {
  const rng = seededRandom('query-float-cells');
  const cell = () => (rng.float() < 0.1 ? SPECIAL[rng.int(SPECIAL.length)]! : String(rng.int(1000) / 4 - 75));
  const out = Array.from({ length: n }, () => [['a', 'b'][rng.int(2)]!, cell(), cell()]);
  return { source: 'floats.csv', columns: ['g', 'x', 'y'], rows: out, lineOf: (i) => i + 2 };
}

const OPTIONS: QueryOptions = { bounds: { x: [0, 100], y: [-10.5, 60] }, domains: { g: ['a', 'b'] } };
const QUERIES = [
  'SELECT g, COUNT(*), COUNT(x), SUM(x), AVG(y), VARIANCE(x) FROM t GROUP BY g',
  'SELECT COUNT(y), AVG(x) FROM t WHERE y > 0',
  'SELECT HISTOGRAM(x), HISTOGRAM(y) FROM t',
  'SELECT QUANTILES(y) FROM t',
];

describe('FLOAT and DOUBLE cells with NaN and infinities equal the JavaScript path', () => {
  const dir = scratch();
  const table = rows(3000);
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    const csv = await registerTable(engine, dir.dir, 'csv', table);
    const parquet = join(dir.dir, 'floats.parquet');
    await engine.connection.run(
      'COPY (SELECT g, TRY_CAST(x AS DOUBLE) AS x, TRY_CAST(y AS FLOAT) AS y ' +
        `FROM read_csv(${quoteLiteral(csv)}, all_varchar = true)) TO ${quoteLiteral(parquet)} (FORMAT parquet)`,
    );
    await engine.register('parquet', { type: 'parquet', path: parquet });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  it('stores the special values as typed non-finite cells', async () => {
    const types = Object.fromEntries(engine.describe('parquet').columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({ g: 'VARCHAR', x: 'DOUBLE', y: 'FLOAT' });
    const counts = 'count_if(isnan(x)), count_if(isinf(x)), count_if(isnan(y)), count_if(isinf(y))';
    const reader = await engine.connection.runAndReadAll(`SELECT ${counts} FROM ${engine.relation('parquet')}`);
    for (const n of reader.getRows()[0]!) expect(Number(n)).toBeGreaterThan(20);
  });

  it.each(QUERIES)('%s', async (sql) => {
    const plan = planQuery(parseQuery(sql), OPTIONS);
    const fromParquet = await evaluateQuery(engine, 'parquet', plan, fixedRandom());
    const fromCsv = await evaluateQuery(engine, 'csv', plan, fixedRandom());
    expect(difference(plan, fromParquet.vector, oracle(plan, table).vector)).toBeUndefined();
    expect([...fromParquet.vector]).toEqual([...fromCsv.vector]);
  });
});
