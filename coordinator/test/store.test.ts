import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { MIGRATIONS, SqliteStore, type JobRecord, type RoundRecord } from '../src/index.js';
import { sameBits, tempDir } from './helpers.js';

const newest = MIGRATIONS[MIGRATIONS.length - 1].version;

function job(id: string, createdAt: number, patch: Partial<JobRecord> = {}): JobRecord {
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

function round(jobId: string, r: number, patch: Partial<RoundRecord> = {}): RoundRecord {
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

const participant = (id: string, name = id) => ({
  id,
  name,
  publicKey: generateSigningKeyPair().publicKey,
  enrolledAt: Date.now(),
});

describe('SqliteStore', () => {
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

  describe('migrations', () => {
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

    it('applies every migration once, in order, and records it', () => {
      expect(store.schemaVersion()).toBe(newest);
      const rows = migrationRows(path);
      expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
      const db = new Database(path, { readonly: true });
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((t) => t.name);
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
  });

  describe('enrolment tokens and participants', () => {
    it('redeems a token exactly once; a second use is refused with a reason', async () => {
      const hash = sha256Hex('tse_secret');
      await store.addEnrollmentToken(hash, 'merchant-a');
      const a = participant('p-a', 'merchant-a');
      const first = await store.redeemEnrollmentToken(hash, a);
      expect(first.ok).toBe(true);
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
      // Each token names its participant (the operator's choice), so the participants carry those names.
      const a = participant('p-a', 'one');
      expect((await store.redeemEnrollmentToken(sha256Hex('t1'), a)).ok).toBe(true);
      const again = await store.redeemEnrollmentToken(sha256Hex('t2'), {
        ...participant('p-b', 'two'),
        publicKey: a.publicKey,
      });
      expect(again).toEqual({ ok: false, reason: expect.stringContaining('already enrolled as p-a') });
      // t2 was not consumed by the refused attempt.
      expect((await store.redeemEnrollmentToken(sha256Hex('t2'), participant('p-c', 'two'))).ok).toBe(true);
    });

    it('names the participant after its token when no name is given', async () => {
      await store.addEnrollmentToken(sha256Hex('t'), 'merchant-z');
      const r = await store.redeemEnrollmentToken(sha256Hex('t'), { ...participant('p-z'), name: '' });
      expect(r.ok && r.participant.name).toBe('merchant-z');
      expect((await store.getParticipant('p-z'))?.name).toBe('merchant-z');
    });

    it('round-trips participants and their public keys', async () => {
      const ps = [participant('p-1', 'one'), participant('p-2', 'two')];
      ps[0].enrolledAt = 1000;
      ps[1].enrolledAt = 2000;
      for (const [i, p] of ps.entries()) {
        await store.addEnrollmentToken(sha256Hex(`token-${i}`), p.name);
        expect((await store.redeemEnrollmentToken(sha256Hex(`token-${i}`), p)).ok).toBe(true);
      }
      await store.close();
      store = new SqliteStore(path);
      const got = (await store.getParticipant('p-2'))!;
      expect(got.publicKey).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(got.publicKey).equals(Buffer.from(ps[1].publicKey))).toBe(true);
      expect(got).toMatchObject({ id: 'p-2', name: 'two', enrolledAt: 2000 });
      expect((await store.listParticipants()).map((p) => [p.id, Buffer.from(p.publicKey).toString('hex')])).toEqual(
        ps.map((p) => [p.id, Buffer.from(p.publicKey).toString('hex')]),
      );
      expect(await store.getParticipant('p-none')).toBeUndefined();
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
      expect(rounds[0].dropped).toEqual(['p-3']);
      expect(rounds[1].error).toBe('too few');
      expect(await store.listRounds('other')).toEqual([]);
    });

    it('refuses a round of a job that does not exist (foreign keys are on)', async () => {
      await expect(store.addRound(round('ghost', 1))).rejects.toThrow(/FOREIGN KEY/);
    });
  });

  describe('models', () => {
    it('persists a model bit-exactly, with special values, and advances roundsCompleted in the same call', async () => {
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
      await store.completeRound(round('a', 1), w, 1);
      const back = (await store.loadModel('a', 1))!;
      expect(back).toBeInstanceOf(Float64Array);
      expect(sameBits(back, w)).toBe(true);
      expect(Object.is(back[1], -0)).toBe(true);
      expect((await store.getJob('a'))!.roundsCompleted).toBe(1);
      expect(await store.listRounds('a')).toHaveLength(1);
      expect(await store.loadModel('a', 2)).toBeUndefined();
    });

    it('persists a large model (1e6 values) bit-exactly across a reopen', async () => {
      await store.createJob(job('big', 1));
      const n = 1_000_000;
      const w = new Float64Array(n);
      let x = 0x9e3779b9;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        w[i] = (x / 2 ** 32 - 0.5) * 10 ** ((i % 40) - 20);
      }
      await store.completeRound(round('big', 1), w, 1);
      await store.close();
      store = new SqliteStore(path);
      const back = (await store.latestModel('big'))!;
      expect(back.round).toBe(1);
      expect(back.weights.length).toBe(n);
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

    it('is atomic: when saving the model fails, neither the round record nor roundsCompleted change', async () => {
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
  });

  describe('metrics', () => {
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
});
