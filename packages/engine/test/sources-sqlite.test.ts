import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataError } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, type SourceSpec } from '@tessera/engine';
import { readSqliteTable } from '../../../participant/src/sources/sqlite-table.js';

let dir: string;
let path: string;
let engine: LocalEngine;

async function cells(name: string, spec: SourceSpec): Promise<{ columns: string[]; rows: string[][] }> {
  const d = await engine.register(name, spec);
  const rows: string[][] = [];
  for await (const b of engine.batches(name, undefined, 1000)) rows.push(...b.rows);
  return { columns: d.columns.map((c) => c.name), rows };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-sqlite-'));
  path = join(dir, 'shop.db');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL, qty INTEGER, note TEXT, raw BLOB);
    CREATE VIEW big_orders AS SELECT id, customer, amount * 2 AS doubled FROM orders WHERE amount > 1;
    CREATE TABLE "Mixed Case" ("a ""quoted"" col" TEXT, b INTEGER);
    CREATE TABLE dup_source (x INTEGER);
    CREATE VIEW dup AS SELECT x, x FROM dup_source;
  `);
  const insert = db.prepare('INSERT INTO orders (customer, amount, qty, note, raw) VALUES (?, ?, ?, ?, ?)');
  insert.run('alice', 1.5, 3, 'plain', null);
  insert.run('bob', 0.1, 9007199254740993n, 'comma, "quote"\nnewline', Buffer.from([0xde, 0xad]));
  insert.run(null, 1e21, -7, null, null);
  insert.run('émile ☕', -0.000001, 0, '  spaced  ', null);
  insert.run('dora', 2, null, '', null);
  db.transaction(() => {
    for (let i = 0; i < 2500; i++) insert.run(`c${i % 17}`, i / 7, i, null, null);
  })();
  db.prepare('INSERT INTO "Mixed Case" VALUES (?, ?)').run('x', 1);
  db.close();
  engine = await LocalEngine.open({ threads: 1 });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite source', () => {
  it('serves a table cell for cell as readSqliteTable reads it (integers, reals, text, NULL, BLOB)', async () => {
    const oracle = readSqliteTable(path, 'orders');
    const got = await cells('orders', { type: 'sqlite', path, table: 'orders' });
    expect(got.columns).toEqual(oracle.columns);
    expect(got.rows).toHaveLength(2505);
    expect(got.rows).toEqual(oracle.rows);
    expect(got.rows[1]).toEqual(['2', 'bob', '0.1', '9007199254740993', 'comma, "quote"\nnewline', "X'DEAD'"]);
    expect(got.rows[2]![2]).toBe('1e+21');
  });

  it('keeps NULL as NULL in the engine (batches show it as an empty cell)', async () => {
    await engine.register('nulls', { type: 'sqlite', path, table: 'orders' });
    const r = await engine.connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE ${engine.column('nulls', 'note')} IS NULL),
              count(*) FILTER (WHERE ${engine.column('nulls', 'note')} = '') FROM ${engine.relation('nulls')}`,
    );
    expect(r.getRows()[0]).toEqual([2501n, 1n]);
  });

  it('serves a view, and a table whose names need quoting, matched ignoring case', async () => {
    const view = await cells('view', { type: 'sqlite', path, table: 'big_orders' });
    expect(view.rows).toEqual(readSqliteTable(path, 'big_orders').rows);
    expect(view.rows.length).toBeGreaterThan(2000);
    const mixed = await cells('mixed', { type: 'sqlite', path, table: 'mixed case' });
    expect(mixed).toEqual({ columns: ['a "quoted" col', 'b'], rows: [['x', '1']] });
  });

  it('refuses a missing table, naming the tables there are', async () => {
    const err = await engine.register('missing', { type: 'sqlite', path, table: 'order' }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(
      `${path}: there is no table or view named "order"; ` +
        'the tables are: Mixed Case, big_orders, dup, dup_source, orders',
    );
    // the failed registration leaves nothing behind: the next one works
    expect((await engine.register('after', { type: 'sqlite', path, table: 'orders' })).rows).toBe(2505);
  });

  it('serves a view repeating a column under the names SQLite gives it', async () => {
    const dup = await cells('dup', { type: 'sqlite', path, table: 'dup' });
    expect(dup.columns).toEqual(['x', 'x:1']);
    expect(dup.columns).toEqual(readSqliteTable(path, 'dup').columns);
  });

  it('refuses a missing or non-SQLite file, naming it', async () => {
    const missing = join(dir, 'nope.db');
    const gone = await engine.register('gone', { type: 'sqlite', path: missing, table: 't' }).catch((e) => e);
    expect(gone.message).toBe(
      `${missing}: database file not found; check the path (relative paths start from the current directory)`,
    );
    const text = join(dir, 'text.db');
    writeFileSync(text, 'this is not a database at all, just some text long enough to have a header');
    const bad = await engine.register('bad', { type: 'sqlite', path: text, table: 't' }).catch((e) => e);
    expect(bad).toBeInstanceOf(DataError);
    expect(bad.message).toMatch(new RegExp(`^${text}: .*is this a SQLite file\\?`));
  });
});
