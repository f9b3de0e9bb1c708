// The engine's column summaries equal ColumnSummariser's over the same rows read out in batches (the JavaScript path).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseRows, type ColumnSummary } from '@tessera/data';
import { LocalEngine, PREFIX_ROWS, quoteLiteral, summariseForProfile } from '@tessera/engine';

let dir: string;
let engine: LocalEngine;
/** Past the prefix, so that values, texts, empties and non-binary cells first seen after it are covered. */
const ROWS = PREFIX_ROWS + 5_000;
const LATE = PREFIX_ROWS + 1_000;

/** A CSV row `i`: every column has its own mix of numbers, texts, empties, binary labels and spacing. */
function row(i: number): string[] {
  const amount =
    i === 3 ? '  12.5 ' : i === 5 ? 'n/a' : i === 9 ? '' : i === LATE ? 'abc' : i === 11 ? '1e999' : `${i % 97}.25`;
  const label = i === LATE + 7 ? 'maybe' : ['yes', 'no', ' Y ', 'FALSE', '1', '0.0'][i % 6]!;
  const cat = i === LATE + 3 ? 'late' : i === LATE + 4 ? ' late ' : ['a', ' b', 'c\u00a0', 'NA'][i % 4]!;
  const later = i === LATE + 9 ? '   ' : i === LATE + 10 ? 'x' : `${i % 3}`;
  const many = i < 20 ? `v${i % 8}` : `w${i % 50}`;
  const flag = i % 2 ? '1' : '0';
  return [`${i}`, amount, label, cat, later, many, flag];
}

const HEADER = ['id', 'amount', 'label', 'cat', 'later', 'many', 'flag'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-profile-summary-'));
  const lines = [HEADER.join(',')];
  for (let i = 0; i < ROWS; i++) lines.push(row(i).join(','));
  writeFileSync(join(dir, 'mixed.csv'), `${lines.join('\n')}\n`);
  engine = await LocalEngine.open({ threads: 2 });
  await engine.register('mixed', { type: 'csv', path: join(dir, 'mixed.csv') });
  const parquet = join(dir, 'typed.parquet');
  await engine.connection.run(
    `COPY (SELECT i::BIGINT AS id, CASE WHEN i = ${LATE} THEN 'NaN'::DOUBLE WHEN i = 4 THEN 'inf'::DOUBLE ` +
      `WHEN i % 1000 = 7 THEN NULL ELSE i / 8.0 END AS x, (i % 3)::DECIMAL(10, 2) AS dec, ` +
      `(i % 2)::INTEGER AS bit, CASE WHEN i = ${LATE + 2} THEN NULL ELSE i % 2 = 0 END AS ok, ` +
      `TIMESTAMP '2024-01-01' + INTERVAL (i % 5) DAY AS at, CASE WHEN i % 9 = 0 THEN ' s ' ELSE 'n' || (i % 4) END ` +
      `AS s FROM range(${ROWS}) t(i) ORDER BY i) TO ${quoteLiteral(parquet)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
  );
  await engine.register('typed', { type: 'parquet', path: parquet });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ColumnSummariser over the engine's text batches (what prepareProfile computed before). */
async function batchSummaries(name: string, limit: number): Promise<Map<string, ColumnSummary>> {
  const columns = engine.describe(name).columns.map((c) => c.name);
  const summary = summariseRows(columns, limit);
  for await (const batch of engine.batches(name, columns, 4096)) summary.add(batch.rows, batch.first);
  return summary.summaries();
}

describe('summariseForProfile', () => {
  it.each([
    ['mixed', 3],
    ['mixed', 1024],
    ['typed', 4],
    ['typed', 1024],
  ])('equals the batch summaries of %s with at most %i distinct values', async (name, limit) => {
    const sql = await summariseForProfile(engine, name, limit);
    expect(sql.rows).toBe(ROWS);
    const batches = await batchSummaries(name, limit);
    for (const [column, summary] of batches) {
      const got = sql.summaries.get(column)!;
      expect({ column, ...got, distinct: [...got.distinct] }).toEqual({
        column,
        ...summary,
        distinct: [...summary.distinct],
      });
    }
    expect([...sql.summaries.keys()]).toEqual([...batches.keys()]);
  });

  it('finds what first occurs after the prefix', async () => {
    const s = (await summariseForProfile(engine, 'mixed', 1024)).summaries;
    expect(s.get('amount')).toMatchObject({ firstText: 5, firstTextCell: 'n/a', firstEmpty: 9, overflow: false });
    expect(s.get('label')).toMatchObject({ firstNonBinary: LATE + 7, firstNonBinaryCell: 'maybe' });
    expect(s.get('label')!.firstNonNumber).toBe(0);
    expect([...s.get('cat')!.distinct]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['NA', 3],
      ['late', LATE + 3],
    ]);
    expect(s.get('later')).toMatchObject({ firstEmpty: LATE + 9, firstText: LATE + 10, texts: 1, numbers: ROWS - 2 });
    expect(s.get('flag')).toMatchObject({ firstNonBinary: -1, firstNonNumber: -1, texts: 0, numbers: ROWS });
    expect(s.get('id')).toMatchObject({ overflow: true, numbers: ROWS });
    expect(s.get('id')!.distinct.size).toBe(1024);
  });

  it('keeps the first values of a column with more than the limit, in order of first appearance', async () => {
    const many = (await summariseForProfile(engine, 'mixed', 3)).summaries.get('many')!;
    expect(many.overflow).toBe(true);
    expect([...many.distinct]).toEqual([
      ['v0', 0],
      ['v1', 1],
      ['v2', 2],
    ]);
  });
});
