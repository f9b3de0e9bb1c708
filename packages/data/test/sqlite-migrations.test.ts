import { join } from 'node:path';
// better-sqlite3 is the callers' dependency (coordinator, participant); the runner only needs its shape.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import {
  migrate,
  MigrationListError,
  MIGRATIONS_TABLE,
  SchemaTooNewError,
  VERSION_ROW,
  type Migration,
  type MigrationBook,
} from '../src/index.js';

const { dir, cleanup } = tempDir('tessera-migrations-');
afterAll(cleanup);
let files = 0;
const fresh = () => join(dir, `db-${++files}.sqlite`);

const MIGRATIONS: Migration[] = [
  { version: 1, name: 'items', sql: 'CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL);' },
  { version: 2, name: 'item notes', sql: "ALTER TABLE item ADD COLUMN note TEXT NOT NULL DEFAULT '';" },
];
const NEXT: Migration = { version: 3, name: 'tags', sql: 'CREATE TABLE tag (item INTEGER, tag TEXT);' };
const tooNew = (current: number, known: number) => `version ${current} is newer than ${known}`;

function open(path: string, book: MigrationBook, migrations: readonly Migration[] = MIGRATIONS) {
  const db = new Database(path);
  const version = migrate(db, migrations, { book, tooNew });
  return { db, version };
}
const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (t) => t.name,
  );
const bookkeeping = (db: Database.Database, book: MigrationBook) =>
  book === VERSION_ROW
    ? db.prepare('SELECT version FROM schema_version').all()
    : db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();

describe.each([
  ['MIGRATIONS_TABLE', MIGRATIONS_TABLE, 'schema_migrations'],
  ['VERSION_ROW', VERSION_ROW, 'schema_version'],
] as const)('migrate with %s', (_, book, table) => {
  it('applies every migration once, in order, and records it as this book does', () => {
    const { db, version } = open(fresh(), book);
    expect(version).toBe(2);
    expect(book.current(db)).toBe(2);
    expect(tables(db)).toEqual([table, 'item'].sort());
    db.prepare("INSERT INTO item (label, note) VALUES ('a', 'n')").run();
    expect(bookkeeping(db, book)).toEqual(
      book === VERSION_ROW
        ? [{ version: 2 }]
        : [
            { version: 1, name: 'items' },
            { version: 2, name: 'item notes' },
          ],
    );
    db.close();
  });

  it('does not re-apply migrations on reopening, keeps the data, and applies only new ones', () => {
    const path = fresh();
    const first = open(path, book);
    first.db.prepare("INSERT INTO item (label) VALUES ('kept')").run();
    const before = bookkeeping(first.db, book);
    first.db.close();
    const again = open(path, book);
    expect(again.version).toBe(2);
    expect(bookkeeping(again.db, book)).toEqual(before);
    again.db.close();
    const later = open(path, book, [...MIGRATIONS, NEXT]);
    expect(later.version).toBe(3);
    expect(tables(later.db)).toContain('tag');
    expect(later.db.prepare('SELECT label FROM item').all()).toEqual([{ label: 'kept' }]);
    later.db.close();
  });

  it('refuses a file written by newer software, with a typed error and the caller message', () => {
    const path = fresh();
    open(path, book, [...MIGRATIONS, NEXT]).db.close();
    const db = new Database(path);
    let error: unknown;
    try {
      migrate(db, MIGRATIONS, { book, tooNew });
    } catch (e) {
      error = e;
    }
    db.close();
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ current: 3, known: 2, message: 'version 3 is newer than 2' });
  });

  it('leaves the file as it was when a migration fails', () => {
    const path = fresh();
    open(path, book, MIGRATIONS.slice(0, 1)).db.close();
    const broken: Migration = { version: 3, name: 'broken', sql: 'CREATE TABLE fine (x); CREATE TABLE item (y);' };
    const db = new Database(path);
    expect(() => migrate(db, [...MIGRATIONS, broken], { book, tooNew })).toThrow(/table item already exists/);
    expect(db.inTransaction).toBe(false);
    expect(book.current(db)).toBe(1);
    expect(tables(db)).toEqual([table, 'item'].sort());
    expect(
      db
        .prepare('SELECT * FROM item')
        .columns()
        .map((c) => c.name),
    ).toEqual(['id', 'label']);
    db.close();
  });
});

describe('migrate', () => {
  it('continues a participant ledger written before the shared runner (a bare schema_version row)', () => {
    const path = fresh();
    const old = new Database(path);
    old.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
      CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL);`);
    old.close();
    const { db, version } = open(path, VERSION_ROW);
    expect(version).toBe(2);
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 2 }]);
    db.close();
  });

  it('refuses a migration list that is not 1, 2, 3...', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [MIGRATIONS[1]], { book: VERSION_ROW, tooNew })).toThrow(MigrationListError);
    expect(() => migrate(db, [MIGRATIONS[0], NEXT], { book: VERSION_ROW, tooNew })).toThrow(/migration 2 \("tags"\)/);
    db.close();
  });
});
