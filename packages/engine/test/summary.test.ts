import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, quoteLiteral, summariseColumns } from '@tessera/engine';

let dir: string;
let engine: LocalEngine;

const CSV = [
  'id,age,city,score,flag,empty',
  '1,34,Paris,1.5,yes,',
  '2,NA,London,2,no,',
  '3,  41 , Paris ,n/a,yes,',
  '4,29,berlin,-3e2,yes,',
  '5,,London,7,,',
  '6,50,Paris,abc,no,NULL',
].join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-summary-'));
  writeFileSync(join(dir, 'people.csv'), `${CSV}\n`);
  engine = await LocalEngine.open({ threads: 1 });
  await engine.register('people', { type: 'csv', path: join(dir, 'people.csv') });
  const parquet = join(dir, 'typed.parquet');
  await engine.connection.run(
    `COPY (SELECT * FROM (VALUES (1.5::DOUBLE, 'a', 7::INTEGER), ('NaN'::DOUBLE, 'b', NULL), (NULL, ' a', 9), ` +
      `(-2.0, 'a', 7)) t(x, s, n)) TO ${quoteLiteral(parquet)} (FORMAT parquet)`,
  );
  await engine.register('typed', { type: 'parquet', path: parquet });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('summariseColumns', () => {
  it('counts rows, missing cells and distinct values, and finds numeric columns with their range', async () => {
    const s = await summariseColumns(engine, 'people');
    expect(s).toEqual([
      { name: 'id', type: 'VARCHAR', rows: 6, missing: 0, numeric: true, min: 1, max: 6, distinct: 6, values: [] },
      { name: 'age', type: 'VARCHAR', rows: 6, missing: 2, numeric: true, min: 29, max: 50, distinct: 4, values: [] },
      {
        name: 'city',
        type: 'VARCHAR',
        rows: 6,
        missing: 0,
        numeric: false,
        distinct: 3,
        values: [
          { value: 'Paris', count: 3 },
          { value: 'London', count: 2 },
          { value: 'berlin', count: 1 },
        ],
      },
      {
        name: 'score',
        type: 'VARCHAR',
        rows: 6,
        missing: 1,
        numeric: false,
        distinct: 5,
        values: [
          { value: '-3e2', count: 1 },
          { value: '1.5', count: 1 },
          { value: '2', count: 1 },
          { value: '7', count: 1 },
          { value: 'abc', count: 1 },
        ],
      },
      {
        name: 'flag',
        type: 'VARCHAR',
        rows: 6,
        missing: 1,
        numeric: false,
        distinct: 2,
        values: [
          { value: 'yes', count: 3 },
          { value: 'no', count: 2 },
        ],
      },
      { name: 'empty', type: 'VARCHAR', rows: 6, missing: 6, numeric: false, distinct: 0, values: [] },
    ]);
  });

  it('gives as many frequent values as asked, ties broken by value', async () => {
    const s = await summariseColumns(engine, 'people', { values: 2 });
    expect(s.find((c) => c.name === 'score')!.values).toEqual([
      { value: '-3e2', count: 1 },
      { value: '1.5', count: 1 },
    ]);
    const none = await summariseColumns(engine, 'people', { values: 0 });
    expect(none.every((c) => c.values.length === 0)).toBe(true);
    await expect(summariseColumns(engine, 'people', { values: -1 })).rejects.toThrow(RangeError);
  });

  it('summarises typed columns: NaN and NULL missing, integers numeric, text trimmed', async () => {
    const s = await summariseColumns(engine, 'typed');
    expect(s).toEqual([
      { name: 'x', type: 'DOUBLE', rows: 4, missing: 2, numeric: true, min: -2, max: 1.5, distinct: 2, values: [] },
      {
        name: 's',
        type: 'VARCHAR',
        rows: 4,
        missing: 0,
        numeric: false,
        distinct: 2,
        values: [
          { value: 'a', count: 3 },
          { value: 'b', count: 1 },
        ],
      },
      { name: 'n', type: 'INTEGER', rows: 4, missing: 1, numeric: true, min: 7, max: 9, distinct: 2, values: [] },
    ]);
  });

  it('summarises only the columns a consent policy serves', async () => {
    await engine.register('some', { type: 'csv', path: join(dir, 'people.csv') }, ['flag', 'age']);
    const s = await summariseColumns(engine, 'some');
    expect(s.map((c) => c.name)).toEqual(['flag', 'age']);
    expect(s[1]).toMatchObject({ missing: 2, numeric: true, min: 29, max: 50 });
  });
});
