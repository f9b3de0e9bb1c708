import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, readCsvFile } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, quoteLiteral, type SourceSpec } from '@tessera/engine';

let dir: string;
let engine: LocalEngine;
let csvPath: string;
let parquetPath: string;
let names = 0;

async function cells(spec: SourceSpec): Promise<{ columns: string[]; rows: string[][] }> {
  const name = `p${names++}`;
  const d = await engine.register(name, spec);
  const rows: string[][] = [];
  for await (const b of engine.batches(name, undefined, 500)) rows.push(...b.rows);
  return { columns: d.columns.map((c) => c.name), rows };
}

async function failure(spec: SourceSpec): Promise<DataError> {
  const err = await engine.register(`bad${names++}`, spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-parquet-'));
  csvPath = join(dir, 'orders.csv');
  parquetPath = join(dir, 'orders.parquet');
  const lines = ['id,customer,region,note'];
  for (let i = 1; i <= 3000; i++) {
    const note = i % 5 === 0 ? '"a, ""quoted"" note"' : i % 7 === 0 ? '' : `n${i}`;
    lines.push(`${i},c${i % 53},${['north', 'south', 'east'][i % 3]},${note}`);
  }
  writeFileSync(csvPath, `${lines.join('\n')}\n`);
  engine = await LocalEngine.open({ threads: 2 });
  // DuckDB writes the Parquet copy of the CSV (text columns, as the engine reads the CSV)
  const copy = await engine.register('copy', { type: 'csv', path: csvPath });
  const to = `TO ${quoteLiteral(parquetPath)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`;
  await engine.connection.run(`COPY (SELECT * FROM ${engine.relation(copy.name)}) ${to}`);
}, 30_000);

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Parquet source', () => {
  it('serves a file written by DuckDB COPY with the same cells as its CSV', async () => {
    const parquet = await cells({ type: 'parquet', path: parquetPath });
    const csv = await cells({ type: 'csv', path: csvPath });
    expect(parquet.rows).toHaveLength(3000);
    expect(parquet).toEqual(csv);
    expect(parquet.rows).toEqual(readCsvFile(csvPath).rows);
  });

  it('refuses garbage bytes that carry the Parquet magic, naming the file', async () => {
    const path = join(dir, 'garbage.parquet');
    const junk = Buffer.alloc(4096, 0x5a);
    writeFileSync(path, Buffer.concat([Buffer.from('PAR1'), junk, Buffer.from([0x10, 0, 0, 0]), Buffer.from('PAR1')]));
    const err = await failure({ type: 'parquet', path });
    expect(err.source).toBe(path);
    expect(err.message).toMatch(new RegExp(`^${path}: this is not a readable Parquet file; export it again`));
  });

  it('refuses a truncated real file, naming the file', async () => {
    const path = join(dir, 'truncated.parquet');
    const whole = readFileSync(parquetPath);
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const err = await failure({ type: 'parquet', path });
    expect(err.message).toMatch(new RegExp(`^${path}: this is not a readable Parquet file; export it again`));
  });

  it('refuses a CSV given as Parquet, and a missing file', async () => {
    const err = await failure({ type: 'parquet', path: csvPath });
    expect(err.message).toMatch(new RegExp(`^${csvPath}: this is not a readable Parquet file`));
    const missing = join(dir, 'absent.parquet');
    expect((await failure({ type: 'parquet', path: missing })).message).toBe(
      `${missing}: file not found; check the path`,
    );
  });
});
