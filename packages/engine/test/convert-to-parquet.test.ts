// convertToParquet (`tessera participant data import`): the same cells in Parquet, text kept as text unless
// `infer` asks for typed number columns, and clear errors naming the file.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataError, numberValue } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, convertToParquet, type SourceSpec } from '@tessera/engine';

let dir: string;
let engine: LocalEngine;
const at = (f: string) => join(dir, f);
let registered = 0;

/** The cells of a source as the engine serves them (text, NULL as ''), with its column types. */
async function read(spec: SourceSpec) {
  const name = `read_${registered++}`;
  const d = await engine.register(name, spec);
  const rows: string[][] = [];
  for await (const b of engine.batches(name, undefined, 1000)) rows.push(...b.rows);
  return { columns: d.columns, rows };
}

const CSV =
  'id,customer,amount,score,note,mixed,empty\r\n' +
  '1,alice,12.50,NA,"comma, inside",7,\r\n' +
  '2,bob,-3,4, spaced ,x,\r\n' +
  '3,"dora ""d""",1e3,,plain,8,\r\n' +
  '12345678901234,émile,0.1,n/a,"two\nlines",9,\r\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'convert-parquet-'));
  writeFileSync(at('shop.csv'), CSV);
  engine = await LocalEngine.open({ threads: 1 });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('convertToParquet', () => {
  it('keeps a CSV as text columns by default: the same cells, in the same order', async () => {
    const r = await convertToParquet({ type: 'csv', path: at('shop.csv') }, at('text.parquet'));
    expect(r).toMatchObject({ file: at('text.parquet'), source: at('shop.csv'), rows: 4, types: 'text' });
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.columns.every((c) => c.type === 'VARCHAR')).toBe(true);
    const csv = await read({ type: 'csv', path: at('shop.csv') });
    const parquet = await read({ type: 'parquet', path: at('text.parquet') });
    expect(parquet.columns).toEqual(csv.columns);
    expect(parquet.rows).toEqual(csv.rows);
    expect(parquet.rows[2]).toEqual(['3', 'dora "d"', '1e3', '', 'plain', '8', '']);
  });

  it('with infer, types number columns (whole numbers BIGINT, others DOUBLE), missing cells NULL', async () => {
    const r = await convertToParquet({ type: 'csv', path: at('shop.csv') }, at('typed.parquet'), { types: 'infer' });
    expect(r.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'customer', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'score', type: 'BIGINT' },
      { name: 'note', type: 'VARCHAR' },
      { name: 'mixed', type: 'VARCHAR' },
      { name: 'empty', type: 'VARCHAR' },
    ]);
    const parquet = await read({ type: 'parquet', path: at('typed.parquet') });
    expect(parquet.columns).toEqual(r.columns);
    const csv = await read({ type: 'csv', path: at('shop.csv') });
    // every number is the number the JavaScript path reads from the CSV cell
    for (const [i, row] of parquet.rows.entries()) {
      expect(Number(row[0])).toBe(numberValue(csv.rows[i]![0]!));
      expect(Number(row[2])).toBe(numberValue(csv.rows[i]![2]!));
    }
    expect(parquet.rows.map((x) => x[3])).toEqual(['', '4', '', '']);
    expect(parquet.rows.map((x) => x[5])).toEqual(['7', 'x', '8', '9']);
  });

  it('with infer, reads past the first rows: text or a fraction near the end decides the type', async () => {
    const lines = Array.from({ length: 70_000 }, (_, i) => `${i},${i},${i}`);
    lines.push('70000,x,0.5');
    writeFileSync(at('late.csv'), `id,late_text,late_fraction\n${lines.join('\n')}\n`);
    const r = await convertToParquet({ type: 'csv', path: at('late.csv') }, at('late.parquet'), { types: 'infer' });
    expect(r.columns.map((c) => c.type)).toEqual(['BIGINT', 'VARCHAR', 'DOUBLE']);
    const parquet = await read({ type: 'parquet', path: at('late.parquet') });
    expect(parquet.rows.at(-1)).toEqual(['70000', 'x', '0.5']);
    expect(parquet.rows[12]).toEqual(['12', '12', '12.0']);
  });

  it('converts a SQLite table (its cells as the node reads them: text)', async () => {
    const db = new Database(at('shop.db'));
    db.exec('CREATE TABLE orders (id INTEGER, amount REAL, who TEXT)');
    const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?)');
    for (let i = 0; i < 300; i++) insert.run(i, i / 4, i % 3 ? `c${i}` : null);
    db.close();
    const spec: SourceSpec = { type: 'sqlite', path: at('shop.db'), table: 'orders' };
    const r = await convertToParquet(spec, at('sqlite.parquet'), { types: 'infer' });
    expect(r).toMatchObject({ rows: 300, source: `${at('shop.db')} table "orders"` });
    expect(r.columns.map((c) => c.type)).toEqual(['BIGINT', 'DOUBLE', 'VARCHAR']);
    const parquet = await read({ type: 'parquet', path: at('sqlite.parquet') });
    expect(parquet.rows[5]).toEqual(['5', '1.25', 'c5']);
    expect(parquet.rows[6]).toEqual(['6', '1.5', '']);
  });

  it('names the file and the line of a broken CSV, and writes nothing', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i},c${i}`);
    lines.splice(2990, 0, '2990,c,extra');
    writeFileSync(at('broken.csv'), `id,customer\n${lines.join('\n')}\n`);
    const run = convertToParquet({ type: 'csv', path: at('broken.csv') }, at('broken.parquet'));
    await expect(run).rejects.toThrow(DataError);
    await expect(convertToParquet({ type: 'csv', path: at('broken.csv') }, at('broken.parquet'))).rejects.toThrow(
      `${at('broken.csv')} line 2992: expected 2 fields, found 3`,
    );
    expect(existsSync(at('broken.parquet'))).toBe(false);
  });

  it('refuses a missing input, a missing output directory and writing over the input', async () => {
    await expect(convertToParquet({ type: 'csv', path: at('nope.csv') }, at('x.parquet'))).rejects.toThrow(
      `${at('nope.csv')}: file not found`,
    );
    await expect(
      convertToParquet({ type: 'csv', path: at('shop.csv') }, join(dir, 'missing', 'x.parquet')),
    ).rejects.toThrow('the directory of the output file does not exist');
    await expect(convertToParquet({ type: 'parquet', path: at('text.parquet') }, at('text.parquet'))).rejects.toThrow(
      'the output file is the input file',
    );
  });
});
