import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { parseCsv, profileTable, toCsv } from '@tessera/data';
import { readSqliteTable } from '../src/sources/sqlite-table.js';
import { dataErrorOf } from '../../packages/data/test/helpers/errors.js';

const { dir, cleanup } = tempDir('tessera-data-sqlite-');
afterAll(cleanup);

function makeDatabase(name: string, build: (db: Database.Database) => void): string {
  const path = join(dir, name);
  const db = new Database(path);
  build(db);
  db.close();
  return path;
}

describe('readSqliteTable', () => {
  const source = parseCsv('id,region,spend,visits,bought\n7,north,10.5,3,yes\n9,"south, far",20.25,,no\n', 'shop.csv');
  const path = makeDatabase('shop.db', (db) => {
    db.exec('CREATE TABLE customers (id INTEGER, region TEXT, spend REAL, visits INTEGER, bought TEXT)');
    db.exec('CREATE TABLE other (x)');
    db.exec("CREATE VIEW northern AS SELECT id, spend FROM customers WHERE region = 'north'");
    const insert = db.prepare(
      'INSERT INTO customers (rowid, id, region, spend, visits, bought) VALUES (?, ?, ?, ?, ?, ?)',
    );
    insert.run(100, 7, 'north', 10.5, 3, 'yes');
    insert.run(205, 9, 'south, far', 20.25, null, 'no');
  });

  test('round-trips a table: same columns and cells, NULL as empty, rowids as lines', () => {
    const t = readSqliteTable(path, 'customers');
    expect(t.columns).toEqual(source.columns);
    expect(t.rows).toEqual(source.rows);
    expect(toCsv(t)).toBe(toCsv(source));
    expect([t.lineOf(0), t.lineOf(1)]).toEqual([100, 205]);
    expect(t.lineName).toBe('rowid');
  });

  test('errors in table data name the rowid', () => {
    const err = dataErrorOf(() => profileTable(readSqliteTable(path, 'customers'), 'bought'));
    expect(err.message).toBe(
      `${path} table "customers" rowid 205, column "visits": the value is empty but the column is numeric; ` +
        'fill it in, remove the row, or list "visits" under exclude',
    );
  });

  test('views are read with 1-based row positions', () => {
    const t = readSqliteTable(path, 'northern');
    expect(t.columns).toEqual(['id', 'spend']);
    expect(t.rows).toEqual([['7', '10.5']]);
    expect(t.lineOf(0)).toBe(1);
    expect(t.lineName).toBe('row');
  });

  test('large integers and blobs are kept exactly', () => {
    const p = makeDatabase('types.db', (db) => {
      db.exec('CREATE TABLE t (big INTEGER, data BLOB)');
      db.prepare('INSERT INTO t VALUES (?, ?)').run(9007199254740993n, Buffer.from([0xca, 0xfe]));
    });
    expect(readSqliteTable(p, 't').rows).toEqual([['9007199254740993', "X'CAFE'"]]);
  });

  test('an unknown or malicious table name is rejected by name, listing the tables, and nothing runs', () => {
    const err = dataErrorOf(() => readSqliteTable(path, 'customers; DROP TABLE other'));
    expect(err.message).toBe(
      `${path}: there is no table or view named "customers; DROP TABLE other"; ` +
        'the tables are: customers, northern, other',
    );
    expect(readSqliteTable(path, 'other').columns).toEqual(['x']);
    expect(readSqliteTable(path, 'CUSTOMERS').rows).toHaveLength(2);
  });

  test('a missing file or a file that is not a database is a DataError naming the path', () => {
    const missing = join(dir, 'missing.db');
    expect(dataErrorOf(() => readSqliteTable(missing, 'customers')).message).toMatch(
      /^.*missing\.db: database file not found/,
    );
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'this is not a database, just some text that is long enough to have a header'.repeat(10));
    const err = dataErrorOf(() => readSqliteTable(text, 'customers'));
    expect(err.source).toBe(text);
    expect(err.message).toMatch(/is this a SQLite file\?/);
  });
});
