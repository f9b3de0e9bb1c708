import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@tessera/data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, type SourceSpec } from '@tessera/engine';
import { startPostgres, type PostgresCluster } from '../../../coordinator/test/pg/pg-cluster.js';

// A password that needs escaping in a URL, so that both its written and decoded forms are checked for leaks.
const PASSWORD = 'S3cret/p@ss:word';
const ROWS = 23_456; // more than two FETCHes of 10,000

let cluster: PostgresCluster;
let engine: LocalEngine;
let dir: string;
let reader: (password?: string) => string;
const messages: string[] = [];

type Row = [string, string, string | null, string | null];

function rows(): Row[] {
  const out: Row[] = [];
  const notes = ['plain', 'comma, inside', 'say "hi"', 'two\nlines', '  spaced  ', 'émile ☕', '', null];
  for (let i = 1; i <= ROWS; i++) {
    const amount = i % 11 === 0 ? null : `${(i * 37) % 1000}.${String(i % 100).padStart(2, '0')}`;
    out.push([String(i), `c${i % 97}`, amount, notes[i % notes.length]!]);
  }
  return out;
}

function csv(header: string[], data: (string | null)[][]): string {
  const field = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
  return `${[header.join(','), ...data.map((r) => r.map(field).join(','))].join('\n')}\n`;
}

async function cells(name: string, spec: SourceSpec): Promise<{ columns: string[]; rows: string[][] }> {
  const d = await engine.register(name, spec);
  const out: string[][] = [];
  for await (const b of engine.batches(name)) out.push(...b.rows);
  return { columns: d.columns.map((c) => c.name), rows: out };
}

async function failure(name: string, spec: SourceSpec): Promise<DataError> {
  const err = await engine.register(name, spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  messages.push((err as Error).message, String((err as Error).stack));
  return err as DataError;
}

beforeAll(async () => {
  cluster = await startPostgres({ passwords: true });
  const admin = await cluster.createDatabase();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const data = rows();
  await client.query(`
    CREATE ROLE reader LOGIN PASSWORD '${PASSWORD}';
    CREATE TABLE orders (id integer, customer text, amount numeric, note text);
    CREATE VIEW big_orders AS SELECT id, customer, amount FROM orders WHERE amount > 900 ORDER BY id;
    CREATE SCHEMA sales;
    CREATE TABLE sales."Returns" (id integer, reason text);
    INSERT INTO sales."Returns" VALUES (1, 'broken'), (2, NULL);
    CREATE TABLE secret (x integer);
    GRANT SELECT ON orders, big_orders TO reader;
    GRANT USAGE ON SCHEMA sales TO reader;
    GRANT SELECT ON sales."Returns" TO reader;
  `);
  await client.query(
    'INSERT INTO orders SELECT * FROM unnest($1::integer[], $2::text[], $3::numeric[], $4::text[])',
    [0, 1, 2, 3].map((c) => data.map((r) => r[c])),
  );
  // PostgreSQL may place a short row in an earlier page's free space, so the table's own order (the order a scan
  // gives, which is the source order the engine keeps) is read back for the CSV copy.
  const order = (await client.query<{ id: number }>('SELECT id FROM orders')).rows.map((r) => r.id);
  await client.end();
  const u = new URL(admin);
  reader = (password = PASSWORD) => {
    const url = new URL(u);
    url.username = 'reader';
    url.password = encodeURIComponent(password);
    return url.toString();
  };
  dir = mkdtempSync(join(tmpdir(), 'engine-pg-'));
  writeFileSync(
    join(dir, 'orders.csv'),
    csv(
      ['id', 'customer', 'amount', 'note'],
      order.map((id) => data[id - 1]!),
    ),
  );
  const big = data.filter((r) => r[2] !== null && Number(r[2]) > 900);
  writeFileSync(
    join(dir, 'big.csv'),
    csv(
      ['id', 'customer', 'amount'],
      big.map((r) => r.slice(0, 3)),
    ),
  );
  engine = await LocalEngine.open({ threads: 1 });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  // No error message, nor its stack, ever carried the password, as written or as the url escapes it.
  expect(messages.length).toBeGreaterThan(0);
  for (const m of messages) {
    expect(m).not.toContain(PASSWORD);
    expect(m).not.toContain(encodeURIComponent(PASSWORD));
  }
});

describe('PostgreSQL source', () => {
  it('serves a table with the same cells as the same data in CSV, through a cursor', async () => {
    const fromPg = await cells('pg', { type: 'postgres', url: reader(), table: 'orders' });
    const fromCsv = await cells('csv', { type: 'csv', path: join(dir, 'orders.csv') });
    expect(fromPg.columns).toEqual(['id', 'customer', 'amount', 'note']);
    expect(fromPg.rows).toHaveLength(ROWS);
    expect(fromPg).toEqual(fromCsv);
    expect(fromPg.rows[2]).toEqual(['3', 'c3', '111.03', 'two\nlines']);
    expect(engine.describe('pg').source).toMatch(/^postgres:\/\/reader:\*\*\*@127\.0\.0\.1:\d+\/t_\w+ table "orders"$/);
  });

  it('serves a view, and schema.table, the same way', async () => {
    const view = await cells('view', { type: 'postgres', url: reader(), table: 'big_orders' });
    expect(view.rows.length).toBeGreaterThan(1000);
    expect(view).toEqual(await cells('big', { type: 'csv', path: join(dir, 'big.csv') }));
    const returns = await cells('returns', { type: 'postgres', url: reader(), table: 'sales.Returns' });
    expect(returns).toEqual({
      columns: ['id', 'reason'],
      rows: [
        ['1', 'broken'],
        ['2', ''],
      ],
    });
  });

  it('refuses a wrong password, naming the source without the password', async () => {
    const err = await failure('wrong', { type: 'postgres', url: reader('not-the-password'), table: 'orders' });
    expect(err.message).toMatch(/^postgres:\/\/reader:\*\*\*@127\.0\.0\.1:\d+\/t_\w+ table "orders": /);
    expect(err.message.replace(/^.*table "orders": /, '')).toBe(
      `password authentication failed for user "reader": check the user and password in the data set's url`,
    );
  });

  it('refuses a missing table, listing the tables and views there are', async () => {
    const err = await failure('missing', { type: 'postgres', url: reader(), table: 'order' });
    expect(err.message).toContain(
      'table "order": there is no table or view named "order"; ' +
        'the tables and views are: big_orders, orders, secret, sales.Returns (write schema.table',
    );
  });

  it('refuses a table the user may not read, an unknown database and an unreachable server', async () => {
    const denied = await failure('denied', { type: 'postgres', url: reader(), table: 'secret' });
    expect(denied.message).toContain(
      `table "secret": permission denied for table secret: grant the url's user SELECT on it ` +
        '(GRANT SELECT ON "public"."secret" TO "reader")',
    );
    const noDb = new URL(reader());
    noDb.pathname = '/nowhere';
    const db = await failure('nodb', { type: 'postgres', url: noDb.toString(), table: 'orders' });
    expect(db.message).toMatch(/database "nowhere" does not exist: check the database name/);
    const port = await closedPort();
    const away = new URL(reader());
    away.port = String(port);
    const down = await failure('down', { type: 'postgres', url: away.toString(), table: 'orders' });
    expect(down.message).toMatch(
      new RegExp(
        `^postgres://reader:\\*\\*\\*@127\\.0\\.0\\.1:${port}/t_\\w+ table "orders": cannot reach the database server`,
      ),
    );
    // none of the failures left a relation behind: the engine still registers
    expect((await engine.register('again', { type: 'postgres', url: reader(), table: 'orders' })).rows).toBe(ROWS);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
