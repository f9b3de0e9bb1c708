/**
 * What every Store does, whatever holds the data: run by store-sqlite.test.ts and store-postgres.test.ts. `open`
 * gives a fresh, empty, migrated store for each test (closed after it). What only one store does (file permissions,
 * migrating an old file, triggers) is in that store's own test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import {
  AnalystError,
  DEFAULT_TOKEN_LIFETIME_MS,
  EnrolmentError,
  type JobRecord,
  type RoundRecord,
} from '../src/index.js';
import type { Store } from '../src/store/store.js';
import { leaseContract } from './store-lease-contract.js';
import { sameBits } from './helpers.js';

export const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;

export function job(id: string, createdAt: number, patch: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    name: `job ${id}`,
    specJson: JSON.stringify({ dataset: 'd', label: 'y' }),
    status: 'pending',
    roundsCompleted: 0,
    roundsTotal: 5,
    createdAt,
    updatedAt: createdAt,
    error: '',
    contextJson: '',
    ...patch,
  };
}

export function round(jobId: string, r: number, patch: Partial<RoundRecord> = {}): RoundRecord {
  return {
    jobId,
    round: r,
    stage: 'fit',
    attempt: 1,
    status: 'completed',
    contributors: 3,
    dropped: [],
    metrics: { loss: 0.5 },
    seconds: 0.25,
    error: '',
    finishedAt: 1_700_000_000_000 + r,
    ...patch,
  };
}

const participant = (id: string, name = '', enrolledAt = T0) => ({
  id,
  name,
  publicKey: generateSigningKeyPair().publicKey,
  enrolledAt,
});

/** The error `f` rejects with, checked to be of `type`. */
async function thrown<E extends Error>(type: new (...args: never[]) => E, f: () => Promise<unknown>): Promise<E> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}`);
}

/** A large model with values across many magnitudes (a fixed generator: the same every run). */
function bigModel(n: number): Float64Array {
  const w = new Float64Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    w[i] = (x / 2 ** 32 - 0.5) * 10 ** ((i % 40) - 20);
  }
  return w;
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: the Store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('enrolment tokens and participants', () => {
      it('redeems a token exactly once; a second use is refused with a reason', async () => {
        const hash = sha256Hex('tse_secret');
        await store.addEnrollmentToken(hash, 'merchant-a');
        expect((await store.redeemEnrollmentToken(hash, participant('p-a', 'merchant-a'))).ok).toBe(true);
        expect(await store.getParticipant('p-a')).toBeDefined();
        const second = await store.redeemEnrollmentToken(hash, participant('p-b'));
        expect(second).toEqual({ ok: false, reason: expect.stringContaining('already used') });
        expect(await store.getParticipant('p-b')).toBeUndefined();
        expect((await store.listParticipants()).map((p) => p.id)).toEqual(['p-a']);
      });

      it('refuses an unknown token with a reason', async () => {
        const r = await store.redeemEnrollmentToken(sha256Hex('never issued'), participant('p-x'));
        expect(r).toEqual({ ok: false, reason: expect.stringContaining('unknown enrolment token') });
        expect(await store.listParticipants()).toEqual([]);
      });

      it('refuses to enrol one identity key twice and leaves the second token unused', async () => {
        await store.addEnrollmentToken(sha256Hex('t1'), 'one');
        await store.addEnrollmentToken(sha256Hex('t2'), 'two');
        const a = participant('p-a', 'one');
        expect((await store.redeemEnrollmentToken(sha256Hex('t1'), a)).ok).toBe(true);
        const again = await store.redeemEnrollmentToken(sha256Hex('t2'), {
          ...participant('p-b', 'two'),
          publicKey: a.publicKey,
        });
        expect(again).toEqual({ ok: false, reason: 'this identity key is already enrolled as p-a' });
        expect((await store.redeemEnrollmentToken(sha256Hex('t2'), participant('p-c', 'two'))).ok).toBe(true);
      });

      it('names the participant after its token when no name is given', async () => {
        await store.addEnrollmentToken(sha256Hex('t'), 'merchant-z');
        const r = await store.redeemEnrollmentToken(sha256Hex('t'), participant('p-z'));
        expect(r.ok && r.participant.name).toBe('merchant-z');
        expect((await store.getParticipant('p-z'))?.name).toBe('merchant-z');
      });

      it('round-trips participants and their public keys, oldest first', async () => {
        const ps = [participant('p-2', 'two', 2000), participant('p-1', 'one', 1000)];
        for (const [i, p] of ps.entries()) {
          await store.addEnrollmentToken(sha256Hex(`token-${i}`), p.name);
          expect((await store.redeemEnrollmentToken(sha256Hex(`token-${i}`), p)).ok).toBe(true);
        }
        const got = (await store.getParticipant('p-2'))!;
        expect(got.publicKey).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(got.publicKey).equals(Buffer.from(ps[0].publicKey))).toBe(true);
        expect(got).toEqual({ id: 'p-2', name: 'two', publicKey: got.publicKey, enrolledAt: 2000, status: 'active' });
        expect((await store.listParticipants()).map((p) => [p.id, Buffer.from(p.publicKey).toString('hex')])).toEqual(
          [ps[1], ps[0]].map((p) => [p.id, Buffer.from(p.publicKey).toString('hex')]),
        );
        expect(await store.getParticipant('p-none')).toBeUndefined();
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
        const inTime = await store.redeemEnrollmentToken(sha256Hex('tse_old'), participant('p-a'), T0 + HOUR - 1);
        expect(inTime.ok).toBe(true);
      });

      it('revokes a pending token: enrolment refused, revoking again changes nothing; a used one is kept', async () => {
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
        const e = await thrown(EnrolmentError, () => store.revokeEnrollmentToken(used.id));
        expect(e.code).toBe('token-already-used');
        expect(e.message).toBe(
          `token ${used.id} already enrolled participant p-u; ` +
            'to cut that participant off, run tessera coordinator participants revoke p-u',
        );
        const unknown = await thrown(EnrolmentError, () => store.revokeEnrollmentToken('tok-nope'));
        expect([unknown.code, unknown.message]).toEqual([
          'unknown-token-id',
          'no enrolment token has id tok-nope; tessera coordinator tokens list shows the ids',
        ]);
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
        for (const [i, n] of ['a', 'b', 'c'].entries()) {
          await store.addEnrollmentToken(sha256Hex(`tse_${n}`), n, { now: T0 });
          expect((await store.redeemEnrollmentToken(sha256Hex(`tse_${n}`), participant(`p-${i}`), T0)).ok).toBe(true);
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
        const back = await thrown(EnrolmentError, () => store.setParticipantStatus('p-1', 'active'));
        expect(back.code).toBe('participant-revoked');
        expect(back.message).toBe(
          'participant p-1 (b) was revoked, and revocation is final: enrol it again with a new token ' +
            '(tessera coordinator enroll b)',
        );
        expect((await thrown(EnrolmentError, () => store.setParticipantStatus('p-1', 'disabled'))).code).toBe(
          'participant-revoked',
        );
        const unknown = await thrown(EnrolmentError, () => store.setParticipantStatus('p-9', 'revoked'));
        expect([unknown.code, unknown.message]).toEqual([
          'unknown-participant',
          'no participant has id p-9; tessera coordinator participants list shows the ids',
        ]);
        expect((await store.getParticipant('p-1'))?.status).toBe('revoked');
      });

      it('records when participants were last seen, never moving it back', async () => {
        await store.addEnrollmentToken(sha256Hex('tse_s'), 's', { now: T0 });
        await store.redeemEnrollmentToken(sha256Hex('tse_s'), participant('p-s'), T0);
        expect((await store.getParticipant('p-s'))?.lastSeenAt).toBeUndefined();
        await store.markParticipantsSeen(['p-s', 'p-unknown'], T0 + 10);
        await store.markParticipantsSeen(['p-s'], T0 + 5);
        await store.markParticipantsSeen([], T0 + 20);
        expect((await store.getParticipant('p-s'))?.lastSeenAt).toBe(T0 + 10);
      });
    });

    describe('analysts', () => {
      const times = { now: T0, expiresAt: T0 + 24 * HOUR };

      it('an invitation is redeemed once, for one key, before it expires', async () => {
        expect(await store.inviteAnalyst('alice', sha256Hex('s1'), times)).toEqual({
          name: 'alice',
          createdAt: T0,
          invitationExpiresAt: T0 + 24 * HOUR,
          status: 'invited',
        });
        const key = generateSigningKeyPair().publicKey;
        const joined = await store.redeemAnalystInvitation(sha256Hex('s1'), key, T0 + HOUR);
        expect(joined).toMatchObject({ ok: true, analyst: { name: 'alice', status: 'active', joinedAt: T0 + HOUR } });
        expect((await store.analystByKey(key))?.name).toBe('alice');
        const other = generateSigningKeyPair().publicKey;
        expect(await store.redeemAnalystInvitation(sha256Hex('s1'), other, T0 + HOUR)).toEqual({
          ok: false,
          reason:
            'unknown or already used analyst invitation: ask the coordinator operator for a new one ' +
            '(tessera coordinator analysts add NAME)',
        });
        await store.inviteAnalyst('bob', sha256Hex('s2'), times);
        expect((await store.getAnalyst('bob', T0 + 25 * HOUR))?.status).toBe('expired');
        const late = await store.redeemAnalystInvitation(sha256Hex('s2'), other, T0 + 25 * HOUR);
        expect(late).toMatchObject({ ok: false, reason: expect.stringMatching(/expired at .*analysts add bob/) });
        expect(await store.analystByKey(other)).toBeUndefined();
      });

      it('one key is one analyst, and a joined or revoked name is not given again', async () => {
        const key = generateSigningKeyPair().publicKey;
        await store.registerAnalyst('alice', key, T0);
        await store.inviteAnalyst('bob', sha256Hex('s'), times);
        expect(await store.redeemAnalystInvitation(sha256Hex('s'), key, T0)).toEqual({
          ok: false,
          reason:
            'this identity key is already registered as analyst alice: ' +
            'join with the key file of the new analyst (tessera keys create --out FILE makes one)',
        });
        const keyTaken = await thrown(AnalystError, () => store.registerAnalyst('carol', key, T0));
        expect([keyTaken.code, keyTaken.message]).toEqual([
          'key-taken',
          'this public key is already registered as analyst alice',
        ]);
        const nameTaken = await thrown(AnalystError, () => store.inviteAnalyst('alice', sha256Hex('x'), times));
        expect(nameTaken.code).toBe('name-taken');
        expect(nameTaken.message).toContain('tessera coordinator analysts revoke alice');
        await store.revokeAnalyst('alice', T0 + 1);
        expect(await store.getAnalyst('alice')).toMatchObject({ status: 'revoked', revokedAt: T0 + 1 });
        expect((await store.revokeAnalyst('alice', T0 + 2)).revokedAt).toBe(T0 + 1); // idempotent
        const revoked = await thrown(AnalystError, () =>
          store.registerAnalyst('alice', generateSigningKeyPair().publicKey),
        );
        expect(revoked.code).toBe('analyst-revoked');
        const unknown = await thrown(AnalystError, () => store.revokeAnalyst('nobody'));
        expect([unknown.code, unknown.message]).toEqual([
          'unknown-analyst',
          'no analyst is called nobody; tessera coordinator analysts list shows the names',
        ]);
      });

      it('a new invitation replaces an unredeemed one; registering a key takes an invited name', async () => {
        await store.inviteAnalyst('alice', sha256Hex('old'), times);
        await store.inviteAnalyst('alice', sha256Hex('new'), times);
        const key = () => generateSigningKeyPair().publicKey;
        expect((await store.redeemAnalystInvitation(sha256Hex('old'), key(), T0)).ok).toBe(false);
        await store.inviteAnalyst('bob', sha256Hex('b'), times);
        expect((await store.registerAnalyst('bob', key(), T0)).status).toBe('active');
        expect((await store.redeemAnalystInvitation(sha256Hex('b'), key(), T0)).ok).toBe(false);
        expect((await store.listAnalysts()).map((a) => [a.name, a.status])).toEqual([
          ['alice', 'invited'],
          ['bob', 'active'],
        ]);
        expect(await store.getAnalyst('nobody')).toBeUndefined();
      });
    });

    describe('jobs', () => {
      it('creates, gets, lists (newest first, limited) and filters by status', async () => {
        await store.createJob(job('a', 100));
        await store.createJob(job('b', 300, { status: 'running' }));
        await store.createJob(job('c', 200, { status: 'completed' }));
        expect(await store.getJob('a')).toEqual(job('a', 100));
        expect(await store.getJob('missing')).toBeUndefined();
        expect((await store.listJobs(10)).map((j) => j.id)).toEqual(['b', 'c', 'a']);
        expect((await store.listJobs(2)).map((j) => j.id)).toEqual(['b', 'c']);
        expect((await store.jobsWithStatus(['pending', 'running'])).map((j) => j.id)).toEqual(['a', 'b']);
        expect(await store.jobsWithStatus(['failed'])).toEqual([]);
        expect(await store.jobsWithStatus([])).toEqual([]);
      });

      it('lists the jobs of one owner; jobs without one have no owner field', async () => {
        await store.createJob(job('job-a1', T0, { owner: 'alice' }));
        await store.createJob(job('job-b1', T0 + 1, { owner: 'bob' }));
        await store.createJob(job('job-a2', T0 + 2, { owner: 'alice' }));
        await store.createJob(job('job-none', T0 + 3));
        expect((await store.listJobs(10, 'alice')).map((j) => j.id)).toEqual(['job-a2', 'job-a1']);
        expect((await store.listJobs(10)).map((j) => j.id)).toEqual(['job-none', 'job-a2', 'job-b1', 'job-a1']);
        expect((await store.getJob('job-b1'))?.owner).toBe('bob');
        expect(await store.getJob('job-none')).not.toHaveProperty('owner');
        expect(await store.listJobs(10, 'carol')).toEqual([]);
      });

      it('counts jobs by status, every status present', async () => {
        const none = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
        expect(await store.countJobsByStatus()).toEqual(none);
        await store.createJob(job('a', 100));
        await store.createJob(job('b', 200, { status: 'running' }));
        await store.createJob(job('c', 300, { status: 'completed' }));
        await store.createJob(job('d', 400, { status: 'completed' }));
        await store.updateJob('a', { status: 'failed' });
        expect(await store.countJobsByStatus()).toEqual({ ...none, running: 1, completed: 2, failed: 1 });
      });

      it('refuses a second job with the same id', async () => {
        await store.createJob(job('a', 1));
        await expect(store.createJob(job('a', 2))).rejects.toThrow();
        expect((await store.getJob('a'))?.createdAt).toBe(1);
      });

      it('updates only the given fields and stamps updatedAt', async () => {
        await store.createJob(job('a', 100));
        const before = Date.now();
        await store.updateJob('a', { status: 'failed', error: 'it broke', contextJson: '{"featureNames":["x"]}' });
        const j = (await store.getJob('a'))!;
        expect(j).toMatchObject({
          status: 'failed',
          error: 'it broke',
          contextJson: '{"featureNames":["x"]}',
          name: 'job a',
          roundsCompleted: 0,
          createdAt: 100,
        });
        expect(j.updatedAt).toBeGreaterThanOrEqual(before);
        await store.updateJob('a', { roundsCompleted: 2, error: undefined });
        expect(await store.getJob('a')).toMatchObject({ roundsCompleted: 2, error: 'it broke', status: 'failed' });
      });

      it('keeps rounds in insertion order with their dropped lists', async () => {
        await store.createJob(job('a', 1));
        await store.addRound(round('a', 0, { stage: 'schema', contributors: 2, dropped: ['p-3'], metrics: {} }));
        await store.addRound(round('a', 1, { status: 'failed', attempt: 1, error: 'too few', metrics: {} }));
        await store.addRound(round('a', 1, { attempt: 2 }));
        const rounds = await store.listRounds('a');
        expect(rounds.map((r) => [r.stage, r.round, r.attempt, r.status])).toEqual([
          ['schema', 0, 1, 'completed'],
          ['fit', 1, 1, 'failed'],
          ['fit', 1, 2, 'completed'],
        ]);
        expect(rounds[0]).toEqual(round('a', 0, { stage: 'schema', contributors: 2, dropped: ['p-3'], metrics: {} }));
        expect(rounds[1].error).toBe('too few');
        expect(await store.listRounds('other')).toEqual([]);
      });

      it('refuses a round of a job that does not exist (foreign keys are on)', async () => {
        await expect(store.addRound(round('ghost', 1))).rejects.toThrow(/foreign key/i);
      });
    });

    describe('models', () => {
      it('persists a model bit-exactly, with special values, and advances roundsCompleted in one call', async () => {
        await store.createJob(job('a', 1, { status: 'running' }));
        const w = Float64Array.from([
          0,
          -0,
          1.5,
          -1e-308,
          5e-324,
          Number.MAX_VALUE,
          Number.MIN_VALUE,
          Math.PI,
          1 / 3,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          Number.NaN,
        ]);
        await store.completeRound(round('a', 1), w, 1, '{"momentum":[0.5]}');
        const back = (await store.loadModel('a', 1))!;
        expect(back).toBeInstanceOf(Float64Array);
        expect(sameBits(back, w)).toBe(true);
        expect(Object.is(back[1], -0)).toBe(true);
        expect(await store.getJob('a')).toMatchObject({ roundsCompleted: 1, contextJson: '{"momentum":[0.5]}' });
        expect(await store.listRounds('a')).toHaveLength(1);
        expect(await store.loadModel('a', 2)).toBeUndefined();
      });

      it('persists a large model (1e6 values) bit-exactly', async () => {
        await store.createJob(job('big', 1));
        const w = bigModel(1_000_000);
        await store.completeRound(round('big', 1), w, 1);
        const back = (await store.latestModel('big'))!;
        expect(back.round).toBe(1);
        expect(back.weights.length).toBe(w.length);
        expect(sameBits(back.weights, w)).toBe(true);
      });

      it('stores only the viewed part of a Float64Array that is a window on a larger buffer', async () => {
        await store.createJob(job('a', 1));
        const whole = Float64Array.from([9, 9, 1, 2, 3, 9]);
        await store.completeRound(round('a', 1), whole.subarray(2, 5), 1);
        expect([...(await store.loadModel('a', 1))!]).toEqual([1, 2, 3]);
      });

      it('returns the latest round as the latest model; a round saved again replaces its model', async () => {
        await store.createJob(job('a', 1));
        expect(await store.latestModel('a')).toBeUndefined();
        await store.completeRound(round('a', 1), Float64Array.from([1]), 1);
        await store.completeRound(round('a', 2), Float64Array.from([2, 2]), 2);
        await store.completeRound(round('a', 2, { attempt: 2 }), Float64Array.from([3, 3]), 2);
        const latest = (await store.latestModel('a'))!;
        expect(latest.round).toBe(2);
        expect([...latest.weights]).toEqual([3, 3]);
        expect([...(await store.loadModel('a', 1))!]).toEqual([1]);
      });

      it('keeps NaN metrics as NaN and finite ones exactly', async () => {
        await store.createJob(job('a', 1));
        await store.addRound(
          round('a', 1, { metrics: { loss: Number.NaN, auc: 0.8125, accuracy: 1 / 3, participants: 3 } }),
        );
        await store.completeRound(
          round('a', 2, { metrics: { train_loss: Number.NaN, loss: 0.1 } }),
          Float64Array.from([0]),
          2,
        );
        const [r1, r2] = await store.listRounds('a');
        expect(Number.isNaN(r1.metrics.loss)).toBe(true);
        expect(r1.metrics.auc).toBe(0.8125);
        expect(r1.metrics.accuracy).toBe(1 / 3);
        expect(r1.metrics.participants).toBe(3);
        expect(Number.isNaN(r2.metrics.train_loss)).toBe(true);
        expect(r2.metrics.loss).toBe(0.1);
      });
    });

    describe('the payout ledger', () => {
      const row = (seq: number, jobId: string, participant = 'p-1') => ({
        seq,
        jobId,
        participant,
        hash: `h${seq}`,
        line: `{"seq":${seq}}`,
      });

      it('appends after the head it gives the builder, lists rows in order and by job', async () => {
        expect(await store.ledgerHead()).toEqual({ seq: 0, hash: '' });
        const heads: { seq: number; hash: string }[] = [];
        const first = await store.appendLedger((head) => {
          heads.push(head);
          return [row(head.seq + 1, 'job-a'), row(head.seq + 2, 'job-b')];
        });
        expect(first.map((r) => r.seq)).toEqual([1, 2]);
        await store.appendLedger((head) => {
          heads.push(head);
          return [row(head.seq + 1, 'job-a', 'p-2')];
        });
        expect(heads).toEqual([
          { seq: 0, hash: '' },
          { seq: 2, hash: 'h2' },
        ]);
        expect(await store.ledgerHead()).toEqual({ seq: 3, hash: 'h3' });
        expect(await store.ledgerRows()).toEqual([row(1, 'job-a'), row(2, 'job-b'), row(3, 'job-a', 'p-2')]);
        expect((await store.ledgerRows('job-a')).map((r) => r.seq)).toEqual([1, 3]);
        expect(await store.ledgerRowAt(2)).toEqual(row(2, 'job-b'));
        expect(await store.ledgerRowAt(9)).toBeUndefined();
      });

      it('appends nothing when the builder throws or a row clashes with one stored', async () => {
        await store.appendLedger(() => [row(1, 'job-a')]);
        await expect(
          store.appendLedger(() => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        await expect(store.appendLedger(() => [row(2, 'job-a'), row(1, 'job-b')])).rejects.toThrow();
        expect(await store.ledgerRows()).toEqual([row(1, 'job-a')]);
      });

      it('keeps one cosignature per member and head, in order of seq then member', async () => {
        await store.addLedgerCosignature(2, 'p-b', '{"b":2}');
        await store.addLedgerCosignature(1, 'p-z', '{"z":1}');
        await store.addLedgerCosignature(2, 'p-a', '{"a":2}');
        await store.addLedgerCosignature(2, 'p-a', '{"a":"again"}');
        expect(await store.ledgerCosignatures()).toEqual(['{"z":1}', '{"a":2}', '{"b":2}']);
      });
    });

    describe('console login links', () => {
      it('logs in once, as whom the link says, and never after it expires', async () => {
        await store.addConsoleLogin(
          sha256Hex('link-a'),
          { role: 'analyst', analystId: 'a-1', expiresAt: T0 + 60_000 },
          T0,
        );
        await store.addConsoleLogin(sha256Hex('link-o'), { role: 'operator', expiresAt: T0 + 60_000 }, T0);
        expect(await store.takeConsoleLogin(sha256Hex('link-a'), T0 + 1)).toEqual({
          role: 'analyst',
          analystId: 'a-1',
          expiresAt: T0 + 60_000,
        });
        expect(await store.takeConsoleLogin(sha256Hex('link-a'), T0 + 2)).toBeUndefined();
        expect(await store.takeConsoleLogin(sha256Hex('never issued'), T0 + 2)).toBeUndefined();
        expect(await store.takeConsoleLogin(sha256Hex('link-o'), T0 + 60_000)).toBeUndefined();
      });
    });

    leaseContract(() => store);
  });
}
