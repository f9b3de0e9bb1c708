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

const thrown = (f: () => unknown): EnrolmentError => {
  try {
    f();
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
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it.skipIf(process.platform === 'win32')('creates its directory 0700 and the database 0600', () => {
    expect(statSync(join(tmp.dir, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('issues tokens valid for 24 h by default, listed by id with their status, never the token', () => {
    const t = store.addEnrollmentToken(sha256Hex('tse_a'), 'merchant-a', { now: T0 });
    expect(t).toEqual({
      id: expect.stringMatching(/^tok-[0-9a-f]{16}$/),
      name: 'merchant-a',
      createdAt: T0,
      expiresAt: T0 + DEFAULT_TOKEN_LIFETIME_MS,
      status: 'pending',
    });
    store.addEnrollmentToken(sha256Hex('tse_b'), 'merchant-b', { now: T0 + 1, expiresAt: T0 + HOUR });
    expect(store.listEnrollmentTokens(T0 + 2 * HOUR).map((x) => [x.name, x.status])).toEqual([
      ['merchant-a', 'pending'],
      ['merchant-b', 'expired'],
    ]);
    expect(JSON.stringify(store.listEnrollmentTokens())).not.toContain(sha256Hex('tse_a'));
  });

  it('refuses an expired token, saying when it expired and what to do, and leaves it unused', () => {
    store.addEnrollmentToken(sha256Hex('tse_old'), 'merchant-a', { now: T0, expiresAt: T0 + HOUR });
    const r = store.redeemEnrollmentToken(sha256Hex('tse_old'), participant('p-a'), T0 + HOUR);
    const id = store.listEnrollmentTokens()[0]?.id;
    expect(r).toEqual({
      ok: false,
      reason:
        `this enrolment token (${id}) expired at 2030-01-01T01:00:00.000Z: ` +
        'ask the coordinator operator for a new one (tessera coordinator enroll merchant-a)',
    });
    expect(store.getParticipant('p-a')).toBeUndefined();
    expect(store.redeemEnrollmentToken(sha256Hex('tse_old'), participant('p-a'), T0 + HOUR - 1).ok).toBe(true);
  });

  it('revokes a pending token: enrolment refused, revoking again changes nothing; a used token is kept', () => {
    const t = store.addEnrollmentToken(sha256Hex('tse_r'), 'merchant-r', { now: T0 });
    const revoked = store.revokeEnrollmentToken(t.id, T0 + 5);
    expect(revoked).toMatchObject({ id: t.id, status: 'revoked', revokedAt: T0 + 5 });
    expect(store.revokeEnrollmentToken(t.id, T0 + 9)).toMatchObject({ status: 'revoked', revokedAt: T0 + 5 });
    const r = store.redeemEnrollmentToken(sha256Hex('tse_r'), participant('p-r'), T0 + 10);
    expect(r).toEqual({
      ok: false,
      reason:
        `this enrolment token (${t.id}) was revoked by the coordinator operator at 2030-01-01T00:00:00.005Z: ` +
        'ask the coordinator operator for a new one (tessera coordinator enroll merchant-r)',
    });
    expect(store.listParticipants()).toEqual([]);

    const used = store.addEnrollmentToken(sha256Hex('tse_u'), 'merchant-u', { now: T0 + 1 });
    expect(store.redeemEnrollmentToken(sha256Hex('tse_u'), participant('p-u'), T0 + 1).ok).toBe(true);
    const e = thrown(() => store.revokeEnrollmentToken(used.id));
    expect(e.code).toBe('token-already-used');
    expect(e.message).toContain('tessera coordinator participants revoke p-u');
    expect(thrown(() => store.revokeEnrollmentToken('tok-nope')).code).toBe('unknown-token-id');
    expect(store.listEnrollmentTokens(T0 + 2).map((x) => [x.name, x.status, x.participantId])).toEqual([
      ['merchant-r', 'revoked', undefined],
      ['merchant-u', 'used', 'p-u'],
    ]);
  });

  it("names the participant after the operator's token: another name is refused naming both", () => {
    store.addEnrollmentToken(sha256Hex('tse_m1'), 'm1', { now: T0 });
    const wrong = store.redeemEnrollmentToken(sha256Hex('tse_m1'), participant('p-x', 'm2'), T0 + 1);
    expect(wrong).toEqual({
      ok: false,
      reason:
        'this enrolment token is for the participant the coordinator operator named "m1", not "m2": run tessera ' +
        'participant init with --name m1 (or without --name), or ask the operator for a token for "m2"',
    });
    const right = store.redeemEnrollmentToken(sha256Hex('tse_m1'), participant('p-x', 'm1'), T0 + 1);
    expect(right.ok && right.participant).toMatchObject({ id: 'p-x', name: 'm1', status: 'active' });
  });

  it('disables, enables and revokes participants; revocation is final; only the inactive are listed as such', () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      store.addEnrollmentToken(sha256Hex(`tse_${name}`), name, { now: T0 });
      expect(store.redeemEnrollmentToken(sha256Hex(`tse_${name}`), participant(`p-${i}`), T0).ok).toBe(true);
    }
    expect(store.inactiveParticipants()).toEqual([]);
    expect(store.setParticipantStatus('p-0', 'disabled', T0 + 1)).toMatchObject({
      status: 'disabled',
      statusChangedAt: T0 + 1,
    });
    expect(store.setParticipantStatus('p-1', 'revoked', T0 + 2).status).toBe('revoked');
    expect(store.inactiveParticipants().map((p) => [p.id, p.status])).toEqual([
      ['p-0', 'disabled'],
      ['p-1', 'revoked'],
    ]);
    expect(store.setParticipantStatus('p-0', 'active', T0 + 3)).toMatchObject({ status: 'active' });
    // Setting the status it has changes nothing, not even the time.
    expect(store.setParticipantStatus('p-0', 'active', T0 + 4).statusChangedAt).toBe(T0 + 3);
    const back = thrown(() => store.setParticipantStatus('p-1', 'active'));
    expect(back.code).toBe('participant-revoked');
    expect(back.message).toBe(
      'participant p-1 (b) was revoked, and revocation is final: enrol it again with a new token ' +
        '(tessera coordinator enroll b)',
    );
    expect(thrown(() => store.setParticipantStatus('p-1', 'disabled')).code).toBe('participant-revoked');
    expect(thrown(() => store.setParticipantStatus('p-9', 'revoked')).code).toBe('unknown-participant');
    expect(store.getParticipant('p-1')?.status).toBe('revoked');
  });

  it('records when participants were last seen, never moving it back', () => {
    store.addEnrollmentToken(sha256Hex('tse_s'), 's', { now: T0 });
    store.redeemEnrollmentToken(sha256Hex('tse_s'), participant('p-s'), T0);
    expect(store.getParticipant('p-s')?.lastSeenAt).toBeUndefined();
    store.markParticipantsSeen(['p-s', 'p-unknown'], T0 + 10);
    store.markParticipantsSeen(['p-s'], T0 + 5);
    expect(store.getParticipant('p-s')?.lastSeenAt).toBe(T0 + 10);
  });

  it('migrates a version-2 database: old tokens get an id and expire 24 h after issue; participants are active', () => {
    store.close();
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
    expect(store.listEnrollmentTokens(T0)).toEqual([
      {
        id: `tok-${hash.slice(0, 16)}`,
        name: 'old',
        createdAt: T0,
        expiresAt: T0 + 24 * HOUR,
        status: 'pending',
      },
    ]);
    expect(store.getParticipant('p-old')).toMatchObject({ status: 'active', name: 'older' });
    expect(store.redeemEnrollmentToken(hash, participant('p-new'), T0 + 24 * HOUR).ok).toBe(false);
  });
});
