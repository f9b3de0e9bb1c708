import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { migrate, MIGRATIONS_TABLE } from '@tessera/data';
import { MIGRATIONS, SqliteStore } from '../src/index.js';
import { sameBits, tempDir } from './helpers.js';
import { job, round, storeContract, T0 } from './store-contract.js';

const newest = MIGRATIONS[MIGRATIONS.length - 1].version;
const HOUR = 3_600_000;

const dirs: ReturnType<typeof tempDir>[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

storeContract('SqliteStore', async () => {
  const tmp = tempDir();
  dirs.push(tmp);
  return new SqliteStore(join(tmp.dir, 'coordinator.sqlite'));
});

/** What only the SQLite store does: a private file, migrations recorded in it, old files migrated, reopening. */
describe('SqliteStore: its file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'nested', 'coordinator.sqlite');
    store = new SqliteStore(path);
  });
  afterEach(async () => {
    try {
      await store.close();
    } catch {
      /* already closed */
    }
    tmp.cleanup();
  });

  const migrationRows = (p: string) => {
    const db = new Database(p, { readonly: true });
    try {
      return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
        version: number;
        name: string;
        applied_at: number;
      }[];
    } finally {
      db.close();
    }
  };

  it.skipIf(process.platform === 'win32')('creates its directory 0700 and the database 0600', () => {
    expect(statSync(join(tmp.dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('applies every migration once, in order, and records it', () => {
    expect(store.schemaVersion()).toBe(newest);
    const rows = migrationRows(path);
    expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    const db = new Database(path, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    );
    db.close();
    expect(tables).toEqual(
      expect.arrayContaining(['schema_migrations', 'enrollment_tokens', 'participants', 'jobs', 'rounds', 'models']),
    );
  });

  it('does not re-apply migrations when a database is opened again, and keeps the data', async () => {
    await store.createJob(job('j1', 1));
    const before = migrationRows(path);
    await store.close();
    // Re-running migration 1 would fail (CREATE TABLE of an existing table) or wipe data; neither may happen.
    store = new SqliteStore(path);
    expect(store.schemaVersion()).toBe(newest);
    expect(migrationRows(path)).toEqual(before);
    expect((await store.getJob('j1'))?.name).toBe('job j1');
  });

  it('refuses a database whose schema is newer than this coordinator knows, with a message', async () => {
    await store.close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      newest + 1,
      'from the future',
      Date.now(),
    );
    db.close();
    expect(() => new SqliteStore(path)).toThrow(
      new RegExp(`schema version ${newest + 1}, newer than this coordinator knows \\(${newest}\\); upgrade Tessera`),
    );
  });

  it('keeps participants, keys and a large model bit-exactly across a reopen', async () => {
    await store.addEnrollmentToken(sha256Hex('t'), 'one');
    const p = { id: 'p-1', name: 'one', publicKey: generateSigningKeyPair().publicKey, enrolledAt: 1000 };
    expect((await store.redeemEnrollmentToken(sha256Hex('t'), p)).ok).toBe(true);
    await store.createJob(job('big', 1));
    const w = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20));
    await store.completeRound(round('big', 1), w, 1);
    await store.close();
    store = new SqliteStore(path);
    const got = (await store.getParticipant('p-1'))!;
    expect(Buffer.from(got.publicKey).equals(Buffer.from(p.publicKey))).toBe(true);
    expect(sameBits((await store.latestModel('big'))!.weights, w)).toBe(true);
  });

  it('completeRound is atomic: when saving the model fails, neither the round nor roundsCompleted change', async () => {
    await store.createJob(job('a', 1, { status: 'running' }));
    await store.completeRound(round('a', 1), Float64Array.from([1, 2]), 1);
    const other = new Database(path);
    other.exec(
      'CREATE TRIGGER refuse_round_2 BEFORE INSERT ON models WHEN NEW.round = 2 BEGIN SELECT RAISE(ABORT, ' +
        "'disk full (simulated)'); END;",
    );
    other.close();
    await expect(store.completeRound(round('a', 2), Float64Array.from([3, 4]), 2)).rejects.toThrow(/disk full/);
    expect((await store.getJob('a'))!.roundsCompleted).toBe(1);
    expect((await store.listRounds('a')).map((r) => r.round)).toEqual([1]);
    expect((await store.latestModel('a'))!.round).toBe(1);
  });

  it('migrates a version-2 database: old tokens get an id and a 24 h expiry; participants are active', async () => {
    await store.close();
    const oldPath = join(tmp.dir, 'old.sqlite');
    const db = new Database(oldPath);
    migrate(db, MIGRATIONS.slice(0, 2), { book: MIGRATIONS_TABLE, tooNew: () => 'too new' });
    const hash = sha256Hex('tse_from_v2');
    db.prepare('INSERT INTO enrollment_tokens (token_hash, name, created_at) VALUES (?, ?, ?)').run(hash, 'old', T0);
    db.prepare('INSERT INTO participants (id, name, public_key, enrolled_at) VALUES (?, ?, ?, ?)').run(
      'p-old',
      'older',
      Buffer.from(generateSigningKeyPair().publicKey),
      T0,
    );
    db.close();
    store = new SqliteStore(oldPath);
    expect(await store.listEnrollmentTokens(T0)).toEqual([
      { id: `tok-${hash.slice(0, 16)}`, name: 'old', createdAt: T0, expiresAt: T0 + 24 * HOUR, status: 'pending' },
    ]);
    expect(await store.getParticipant('p-old')).toMatchObject({ status: 'active', name: 'older' });
    const p = { id: 'p-new', name: '', publicKey: generateSigningKeyPair().publicKey, enrolledAt: T0 };
    expect((await store.redeemEnrollmentToken(hash, p, T0 + 24 * HOUR)).ok).toBe(false);
  });

  it('migrates a version-3 database: its jobs have no owner, and no analyst is registered', async () => {
    await store.close();
    const oldPath = join(tmp.dir, 'v3.sqlite');
    const db = new Database(oldPath);
    migrate(db, MIGRATIONS.slice(0, 3), { book: MIGRATIONS_TABLE, tooNew: () => 'too new' });
    const insert = 'INSERT INTO jobs (id, name, spec_json, status, rounds_total, created_at, updated_at)';
    db.prepare(`${insert} VALUES (?, ?, ?, ?, ?, ?, ?)`).run('job-old', 'old', '{}', 'completed', 1, T0, T0);
    db.close();
    store = new SqliteStore(oldPath);
    expect((await store.getJob('job-old'))?.owner).toBeUndefined();
    expect(await store.listJobs(10, 'alice')).toEqual([]);
    expect(await store.listAnalysts()).toEqual([]);
  });
});
