import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParticipantNode } from '@tessera/participant';
import { resourceLimitOf, tessera } from '@tessera/proto';
import { type AnalystClient, CoordinatorError, type JobView } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { PLAINTEXT } from './adversarial-bench.js';
import {
  BREAST_CANCER,
  connectAnalystTo,
  enrolIdentity,
  type Identity,
  rawEnroll,
  RawStream,
  shards,
  startNode,
} from './grpc-helpers.js';
import { fits, tempDir } from './helpers.js';

// Denial of service against the coordinator's resource limits (docs/security.md, "Resource limits"): each attack
// runs while two honest participants train a job, which must complete. Rate limits: dos-rate-limit.test.ts; sealed
// uploads: dos-sealed.test.ts.

const pb = tessera.v1;
const MiB = 1024 * 1024;
const DATASET = 'dos';
const IDLE_SECONDS = 0.5;
const LIMITS = { maxMessageBytes: MiB, maxStreamsPerIdentity: 3, uploadIdleSeconds: IDLE_SECONDS };

describe('denial of service: the coordinator keeps serving a job under its resource limits', () => {
  const tmp = tempDir();
  const streams: RawStream[] = [];
  let coord: Coordinator;
  let analyst: AnalystClient;
  let mallory: Identity;
  let honest: ParticipantNode[] = [];

  beforeAll(async () => {
    // One upload slot: an upload held by an attacker makes every honest upload wait for it.
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      uploadSlots: 1,
      limits: LIMITS,
    });
    analyst = await connectAnalystTo(coord);
    const [a, b] = shards(BREAST_CANCER, 2);
    honest = [
      await startNode(coord, tmp.dir, 'honest-1', DATASET, a, { secure: 'none' }),
      await startNode(coord, tmp.dir, 'honest-2', DATASET, b, { secure: 'none' }),
    ];
    mallory = await enrolIdentity(coord, 'mallory');
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all(honest.map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  const open = async () => {
    const s = await RawStream.open(mallory);
    streams.push(s);
    return s;
  };

  /** Submits a job on the honest participants' data set. */
  const submit = (spec: object = {}) =>
    analyst.submit({
      dataset: DATASET,
      label: 'benign',
      rounds: 3,
      minParticipants: 2,
      roundTimeoutSeconds: 30,
      secure: PLAINTEXT,
      seed: 1,
      ...spec,
    });

  /** Polls a job until it ends (no watch stream: the stream tests count those). */
  const finished = async (jobId: string): Promise<JobView> => {
    for (;;) {
      const job = await analyst.get(jobId);
      if (['completed', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('refuses oversized messages, on the Connect stream and at enrolment, naming the limit', async () => {
    const job = await submit();
    const s = await open();
    await s.hello(mallory);
    const status = new Promise<grpc.StatusObject>((resolve) => s.call.on('status', resolve));
    s.send(mallory, { refused: { task: { jobId: job.id }, reason: 'x'.repeat(2 * MiB) } });
    const refused = await status;
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than max \(\d+ vs\.? 1048576\)/);
    expect(resourceLimitOf(refused)).toBe('message-size');

    const enrolment = await rawEnroll(coord, { token: 'tse_x', name: 'n'.repeat(2 * MiB) });
    expect(resourceLimitOf(enrolment.error)).toBe('message-size');

    const final = await finished(job.id);
    expect(final.status, final.error).toBe('completed');
    expect(fits(final).map((r) => r.contributors)).toEqual([2, 2, 2]);
  });

  it('refuses a stream over the per-identity maximum, naming the limit, until one closes', async () => {
    const job = await submit({ rounds: 5 });
    // A job that waits for participants that never come: watches on it stay open.
    const waiting = await submit({ minParticipants: 10, waitForParticipantsSeconds: 60 });
    const stop = new AbortController();
    const watches = Array.from({ length: LIMITS.maxStreamsPerIdentity + 1 }, () =>
      analyst.watch(waiting.id, () => undefined, 60_000, stop.signal).catch((e: unknown) => e),
    );
    const refused = await Promise.race(watches);
    expect(refused).toBeInstanceOf(CoordinatorError);
    expect((refused as CoordinatorError).code).toBe('RESOURCE_EXHAUSTED');
    expect((refused as CoordinatorError).message).toMatch(/^analyst analyst already has 3 streams open/);
    expect((refused as CoordinatorError).message).toContain(
      'the most one identity may hold (limit maxStreamsPerIdentity)',
    );
    // Closing them makes room again, once the coordinator has seen them close.
    stop.abort();
    await Promise.all(watches);
    const opens = async (): Promise<boolean> => {
      const probe = new AbortController();
      let opened = false;
      const watch = analyst.watch(
        waiting.id,
        () => {
          opened = true;
          probe.abort();
        },
        60_000,
        probe.signal,
      );
      const outcome = await watch.catch((e: unknown) => e);
      if (!opened) expect(outcome).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
      return opened;
    };
    const until = Date.now() + 5000;
    while (!(await opens())) {
      expect(Date.now()).toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 100));
    }

    const final = await finished(job.id);
    expect(final.status, final.error).toBe('completed');
    await analyst.cancel(waiting.id);
  });

  it('keeps one live Connect stream per participant: each hello replaces the older stream', async () => {
    const job = await submit();
    const hellos: RawStream[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await open();
      await s.hello(mallory);
      hellos.push(s);
    }
    await Promise.all(hellos.slice(0, -1).map((s) => s.closed));
    expect(hellos.map((s) => s.isClosed)).toEqual([...new Array(7).fill(true), false]);
    const listed = (await analyst.participants()).filter((p) => p.id === mallory.id);
    expect(listed).toMatchObject([{ connected: true }]);
    const final = await finished(job.id);
    expect(final.status, final.error).toBe('completed');
  });

  it('takes back a slot held without sending within the idle deadline; the honest uploads proceed', async () => {
    // The honest nodes announce their uploads a little late, so that mallory holds the only slot first.
    const delayed = honest.map((node) => {
      const n = node as unknown as { send: (body: tessera.v1.IParticipantMessage) => Promise<void> };
      const send = n.send;
      n.send = async function (this: unknown, body: tessera.v1.IParticipantMessage) {
        if (body.ready) await new Promise((r) => setTimeout(r, 200));
        return send.call(this, body);
      };
      return () => {
        n.send = send;
      };
    });
    try {
      const m = await open();
      await m.hello(mallory, [DATASET]);
      const started = performance.now();
      const job = await submit({ rounds: 2 });
      m.refuse(mallory, (await m.task()).task); // schema
      m.refuse(mallory, (await m.task()).task); // statistics
      const { task } = await m.task();
      expect(task.ref?.stage).toBe(pb.Stage.FIT);
      m.send(mallory, { ready: { task: task.ref, total: Number(task.modelLength) } });
      await m.take('grant');
      const granted = performance.now();
      const cancel = (await m.take('cancel')).cancel!;
      const heldFor = (performance.now() - granted) / 1000;
      expect(heldFor).toBeGreaterThanOrEqual(IDLE_SECONDS - 0.05);
      expect(heldFor).toBeLessThan(IDLE_SECONDS + 1.5);
      expect(cancel.reason).toMatch(
        /^no chunk for 0\.5 s after the upload was granted: the upload slot was taken back \(limit uploadIdleSeconds\)/,
      );
      // Too late: the slot is gone.
      const late = m.send(mallory, {
        update: { task: task.ref, chunk: { offset: 0, total: Number(task.modelLength), values: [0] } },
      });
      expect(await m.rejection()).toMatchObject({ seq: late, fatal: false });
      m.refuse(mallory, (await m.task()).task); // evaluate 1
      m.refuse(mallory, (await m.task()).task); // fit 2
      m.refuse(mallory, (await m.task()).task); // evaluate 2

      const final = await finished(job.id);
      expect(final.status, final.error).toBe('completed');
      const rounds = fits(final);
      expect(rounds.map((r) => [r.round, r.status, r.contributors])).toEqual([
        [1, 'completed', 2],
        [2, 'completed', 2],
      ]);
      expect(rounds[0]!.dropped).toEqual([mallory.id]);
      // Without the deadline, round 1 would have waited for its 30 s timeout.
      expect((performance.now() - started) / 1000).toBeLessThan(15);
    } finally {
      for (const restore of delayed) restore();
    }
  });

  it('refuses a spec over the caps at submission, naming the field, while a job runs', async () => {
    const job = await submit();
    await expect(submit({ maxRoundAttempts: 1000 })).rejects.toThrow(
      /job spec: maxRoundAttempts: must be at most 100 \(the maxRoundAttempts cap/,
    );
    await expect(submit({ rounds: 1_000_000 })).rejects.toThrow(/job spec: rounds: must be at most 10000/);
    await expect(submit({ local: { epochs: 5000 } })).rejects.toThrow(/job spec: local\.epochs: must be at most 1000/);
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    await expect(
      analyst.submit({
        kind: 'query',
        sql: `SELECT a, b, COUNT(*) FROM ${DATASET} GROUP BY a, b`,
        domains: { a: values(1025), b: values(1024) },
      }),
    ).rejects.toThrow(/job spec: sql: the query's result vector has 1049600 entries, .*queryVectorLength cap/);
    await expect(
      analyst.submit({ kind: 'overlap', dataset: DATASET, column: 'id', participants: ['a', 'b'], maxSetSize: 1e9 }),
    ).rejects.toThrow(/job spec: maxSetSize: must be at most 250000 \(the psiSetSize cap/);
    const final = await finished(job.id);
    expect(final.status, final.error).toBe('completed');
  });
});
