import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { migrate, MIGRATIONS_TABLE } from '@tessera/data';
import { AnalystError, MIGRATIONS, SqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;
const times = { now: T0, expiresAt: T0 + 24 * HOUR };

const thrown = async (f: () => Promise<unknown>): Promise<AnalystError> => {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(AnalystError);
    return e as AnalystError;
  }
  throw new Error('expected an AnalystError');
};

describe('analyst identities in the store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = tempDir();
    store = new SqliteStore(join(tmp.dir, 'coordinator.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('an invitation is redeemed once, for one key, before it expires', async () => {
    expect(await store.inviteAnalyst('alice', sha256Hex('s1'), times)).toMatchObject({
      name: 'alice',
      status: 'invited',
    });
    const key = generateSigningKeyPair().publicKey;
    const joined = await store.redeemAnalystInvitation(sha256Hex('s1'), key, T0 + HOUR);
    expect(joined).toMatchObject({ ok: true, analyst: { name: 'alice', status: 'active', joinedAt: T0 + HOUR } });
    expect((await store.analystByKey(key))?.name).toBe('alice');
    const again = await store.redeemAnalystInvitation(sha256Hex('s1'), generateSigningKeyPair().publicKey, T0 + HOUR);
    expect(again).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown or already used/) });
    await store.inviteAnalyst('bob', sha256Hex('s2'), times);
    expect((await store.getAnalyst('bob', T0 + 25 * HOUR))?.status).toBe('expired');
    const late = await store.redeemAnalystInvitation(
      sha256Hex('s2'),
      generateSigningKeyPair().publicKey,
      T0 + 25 * HOUR,
    );
    expect(late).toMatchObject({ ok: false, reason: expect.stringMatching(/expired at .*analysts add bob/) });
  });

  it('one key is one analyst, and a joined or revoked name is not given again', async () => {
    const key = generateSigningKeyPair().publicKey;
    await store.registerAnalyst('alice', key, T0);
    await store.inviteAnalyst('bob', sha256Hex('s'), times);
    expect(await store.redeemAnalystInvitation(sha256Hex('s'), key, T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already registered as analyst alice/),
    });
    expect((await thrown(() => store.registerAnalyst('carol', key, T0))).code).toBe('key-taken');
    expect((await thrown(() => store.inviteAnalyst('alice', sha256Hex('x'), times))).code).toBe('name-taken');
    await store.revokeAnalyst('alice', T0 + 1);
    expect(await store.getAnalyst('alice')).toMatchObject({ status: 'revoked', revokedAt: T0 + 1 });
    expect((await store.revokeAnalyst('alice', T0 + 2)).revokedAt).toBe(T0 + 1); // idempotent
    expect((await thrown(() => store.registerAnalyst('alice', generateSigningKeyPair().publicKey))).code).toBe(
      'analyst-revoked',
    );
    expect((await thrown(() => store.revokeAnalyst('nobody'))).code).toBe('unknown-analyst');
  });

  it('a new invitation replaces an unredeemed one; registering a key takes an invited name', async () => {
    await store.inviteAnalyst('alice', sha256Hex('old'), times);
    await store.inviteAnalyst('alice', sha256Hex('new'), times);
    expect((await store.redeemAnalystInvitation(sha256Hex('old'), generateSigningKeyPair().publicKey, T0)).ok).toBe(
      false,
    );
    await store.inviteAnalyst('bob', sha256Hex('b'), times);
    expect((await store.registerAnalyst('bob', generateSigningKeyPair().publicKey, T0)).status).toBe('active');
    expect((await store.redeemAnalystInvitation(sha256Hex('b'), generateSigningKeyPair().publicKey, T0)).ok).toBe(
      false,
    );
    expect((await store.listAnalysts()).map((a) => [a.name, a.status])).toEqual([
      ['alice', 'invited'],
      ['bob', 'active'],
    ]);
  });

  it('lists the jobs of one owner', async () => {
    const job = (id: string, owner: string, createdAt: number) => ({
      id,
      name: id,
      specJson: '{}',
      status: 'pending' as const,
      roundsCompleted: 0,
      roundsTotal: 1,
      createdAt,
      updatedAt: createdAt,
      error: '',
      contextJson: '',
      owner,
    });
    await store.createJob(job('job-a1', 'alice', T0));
    await store.createJob(job('job-b1', 'bob', T0 + 1));
    await store.createJob(job('job-a2', 'alice', T0 + 2));
    expect((await store.listJobs(10, 'alice')).map((j) => j.id)).toEqual(['job-a2', 'job-a1']);
    expect((await store.listJobs(10)).map((j) => j.id)).toEqual(['job-a2', 'job-b1', 'job-a1']);
    expect((await store.getJob('job-b1'))?.owner).toBe('bob');
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
