import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { migrate, MIGRATIONS_TABLE } from '@tessera/data';
import { DEFAULT_TOKEN_LIFETIME_MS, EnrolmentError, MIGRATIONS, SqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;

const participant = (id: string, name = '') => ({
  id,
  name,
  publicKey: generateSigningKeyPair().publicKey,
  enrolledAt: T0,
});

const thrown = async (f: () => Promise<unknown>): Promise<EnrolmentError> => {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(EnrolmentError);
    return e as EnrolmentError;
  }
  throw new Error('expected an EnrolmentError');
};

describe('the enrolment life cycle in the store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'data', 'coordinator.sqlite');
    store = new SqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it.skipIf(process.platform === 'win32')('creates its directory 0700 and the database 0600', () => {
    expect(statSync(join(tmp.dir, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('issues tokens valid for 24 h by default, listed by id with their status, never the token', async () => {
    const t = await store.addEnrollmentToken(sha256Hex('tse_a'), 'merchant-a', { now: T0 });
    expect(t).toEqual({
      id: expect.stringMatching(/^tok-[0-9a-f]{16}$/),
      name: 'merchant-a',
      createdAt: T0,
      expiresAt: T0 + DEFAULT_TOKEN_LIFETIME_MS,
      status: 'pending',
    });
    await store.addEnrollmentToken(sha256Hex('tse_b'), 'merchant-b', { now: T0 + 1, expiresAt: T0 + HOUR });
    expect((await store.listEnrollmentTokens(T0 + 2 * HOUR)).map((x) => [x.name, x.status])).toEqual([
      ['merchant-a', 'pending'],
      ['merchant-b', 'expired'],
    ]);
    expect(JSON.stringify(await store.listEnrollmentTokens())).not.toContain(sha256Hex('tse_a'));
  });

  it('refuses an expired token, saying when it expired and what to do, and leaves it unused', async () => {
    await store.addEnrollmentToken(sha256Hex('tse_old'), 'merchant-a', { now: T0, expiresAt: T0 + HOUR });
    const r = await store.redeemEnrollmentToken(sha256Hex('tse_old'), participant('p-a'), T0 + HOUR);
    const id = (await store.listEnrollmentTokens())[0]?.id;
    expect(r).toEqual({
      ok: false,
      reason:
        `this enrolment token (${id}) expired at 2030-01-01T01:00:00.000Z: ` +
        'ask the coordinator operator for a new one (tessera coordinator enroll merchant-a)',
    });
    expect(await store.getParticipant('p-a')).toBeUndefined();
    expect((await store.redeemEnrollmentToken(sha256Hex('tse_old'), participant('p-a'), T0 + HOUR - 1)).ok).toBe(true);
  });

  it('revokes a pending token: enrolment refused, revoking again changes nothing; a used token is kept', async () => {
    const t = await store.addEnrollmentToken(sha256Hex('tse_r'), 'merchant-r', { now: T0 });
    const revoked = await store.revokeEnrollmentToken(t.id, T0 + 5);
    expect(revoked).toMatchObject({ id: t.id, status: 'revoked', revokedAt: T0 + 5 });
    expect(await store.revokeEnrollmentToken(t.id, T0 + 9)).toMatchObject({ status: 'revoked', revokedAt: T0 + 5 });
    const r = await store.redeemEnrollmentToken(sha256Hex('tse_r'), participant('p-r'), T0 + 10);
    expect(r).toEqual({
      ok: false,
      reason:
        `this enrolment token (${t.id}) was revoked by the coordinator operator at 2030-01-01T00:00:00.005Z: ` +
        'ask the coordinator operator for a new one (tessera coordinator enroll merchant-r)',
    });
    expect(await store.listParticipants()).toEqual([]);

    const used = await store.addEnrollmentToken(sha256Hex('tse_u'), 'merchant-u', { now: T0 + 1 });
    expect((await store.redeemEnrollmentToken(sha256Hex('tse_u'), participant('p-u'), T0 + 1)).ok).toBe(true);
    const e = await thrown(() => store.revokeEnrollmentToken(used.id));
    expect(e.code).toBe('token-already-used');
    expect(e.message).toContain('tessera coordinator participants revoke p-u');
    expect((await thrown(() => store.revokeEnrollmentToken('tok-nope'))).code).toBe('unknown-token-id');
    expect((await store.listEnrollmentTokens(T0 + 2)).map((x) => [x.name, x.status, x.participantId])).toEqual([
      ['merchant-r', 'revoked', undefined],
      ['merchant-u', 'used', 'p-u'],
    ]);
  });

  it("names the participant after the operator's token: another name is refused naming both", async () => {
    await store.addEnrollmentToken(sha256Hex('tse_m1'), 'm1', { now: T0 });
    const wrong = await store.redeemEnrollmentToken(sha256Hex('tse_m1'), participant('p-x', 'm2'), T0 + 1);
    expect(wrong).toEqual({
      ok: false,
      reason:
        'this enrolment token is for the participant the coordinator operator named "m1", not "m2": run tessera ' +
        'participant init with --name m1 (or without --name), or ask the operator for a token for "m2"',
    });
    const right = await store.redeemEnrollmentToken(sha256Hex('tse_m1'), participant('p-x', 'm1'), T0 + 1);
    expect(right.ok && right.participant).toMatchObject({ id: 'p-x', name: 'm1', status: 'active' });
  });

  it('disables, enables and revokes participants; revocation is final; only the inactive are listed', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      await store.addEnrollmentToken(sha256Hex(`tse_${name}`), name, { now: T0 });
      expect((await store.redeemEnrollmentToken(sha256Hex(`tse_${name}`), participant(`p-${i}`), T0)).ok).toBe(true);
    }
    expect(await store.inactiveParticipants()).toEqual([]);
    expect(await store.setParticipantStatus('p-0', 'disabled', T0 + 1)).toMatchObject({
      status: 'disabled',
      statusChangedAt: T0 + 1,
    });
    expect((await store.setParticipantStatus('p-1', 'revoked', T0 + 2)).status).toBe('revoked');
    expect((await store.inactiveParticipants()).map((p) => [p.id, p.status])).toEqual([
      ['p-0', 'disabled'],
      ['p-1', 'revoked'],
    ]);
    expect(await store.setParticipantStatus('p-0', 'active', T0 + 3)).toMatchObject({ status: 'active' });
    // Setting the status it has changes nothing, not even the time.
    expect((await store.setParticipantStatus('p-0', 'active', T0 + 4)).statusChangedAt).toBe(T0 + 3);
    const back = await thrown(() => store.setParticipantStatus('p-1', 'active'));
    expect(back.code).toBe('participant-revoked');
    expect(back.message).toBe(
      'participant p-1 (b) was revoked, and revocation is final: enrol it again with a new token ' +
        '(tessera coordinator enroll b)',
    );
    expect((await thrown(() => store.setParticipantStatus('p-1', 'disabled'))).code).toBe('participant-revoked');
    expect((await thrown(() => store.setParticipantStatus('p-9', 'revoked'))).code).toBe('unknown-participant');
    expect((await store.getParticipant('p-1'))?.status).toBe('revoked');
  });

  it('records when participants were last seen, never moving it back', async () => {
    await store.addEnrollmentToken(sha256Hex('tse_s'), 's', { now: T0 });
    await store.redeemEnrollmentToken(sha256Hex('tse_s'), participant('p-s'), T0);
    expect((await store.getParticipant('p-s'))?.lastSeenAt).toBeUndefined();
    await store.markParticipantsSeen(['p-s', 'p-unknown'], T0 + 10);
    await store.markParticipantsSeen(['p-s'], T0 + 5);
    expect((await store.getParticipant('p-s'))?.lastSeenAt).toBe(T0 + 10);
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
      {
        id: `tok-${hash.slice(0, 16)}`,
        name: 'old',
        createdAt: T0,
        expiresAt: T0 + 24 * HOUR,
        status: 'pending',
      },
    ]);
    expect(await store.getParticipant('p-old')).toMatchObject({ status: 'active', name: 'older' });
    expect((await store.redeemEnrollmentToken(hash, participant('p-new'), T0 + 24 * HOUR)).ok).toBe(false);
  });
});
