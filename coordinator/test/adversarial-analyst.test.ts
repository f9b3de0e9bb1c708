import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analystClient, tessera } from '@tessera/proto';
import { AnalystClient, AnalystIdentity } from '@tessera/sdk';
import { Coordinator, DATABASE_FILE, SqliteStore } from '../src/index.js';
import { coordinatorError, useAdversarialBench } from './adversarial-bench.js';
import { analystChannel, connectAnalystTo, enrolIdentity, RawStream } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

// Misbehaving analysts on the analyst API, cancelling, and stopping the coordinator under open calls.

const pb = tessera.v1;

describe('the coordinator against misbehaving participants and analysts (real gRPC on loopback)', () => {
  const bench = useAdversarialBench();
  const { open } = bench;

  describe('the analyst API', () => {
    it('refuses a caller without a client certificate with UNAUTHENTICATED on every call', async () => {
      const before = (await bench.analyst.list()).length;
      // TLS to the right coordinator, an identity of its own, but no certificate from the coordinator's CA.
      for (const identity of [AnalystIdentity.generate(), bench.analyst.identity as AnalystIdentity]) {
        const bad = new AnalystClient(bench.coord.address, identity, bench.coord.clientSecurity);
        try {
          const calls: (() => Promise<unknown>)[] = [
            () => bad.submit({ dataset: 'x', label: 'y' }),
            () => bad.list(),
            () => bad.get('job-x'),
            () => bad.cancel('job-x'),
            () => bad.participants(),
            () => bad.watch('job-x'),
            () => bad.result('job-x'),
          ];
          for (const call of calls) {
            const e = await coordinatorError(call());
            expect(e.code).toBe('UNAUTHENTICATED');
            expect(e.message).toMatch(/authenticates each analyst by the client certificate its CA issues/);
            expect(e.message).toContain('tessera analyst join INVITATION --keys FILE');
          }
        } finally {
          bad.close();
        }
      }
      expect((await bench.analyst.list()).length).toBe(before);
    });

    it('refuses an invalid spec with INVALID_ARGUMENT naming the field, and creates no job', async () => {
      const before = (await bench.analyst.list()).length;
      let e = await coordinatorError(bench.analyst.submit({ dataset: 'x', label: 'y', rouns: 3 }));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/^job spec: rouns: unknown field \(did you mean "rounds"\?\)/);
      e = await coordinatorError(bench.analyst.submit({ dataset: 'x', label: 'y', local: { batchSize: 'abc' } }));
      expect(e).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'job spec: local.batchSize: must be an integer, got "abc"',
      });
      e = await coordinatorError(bench.analyst.submit({ label: 'y' }));
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'job spec: dataset: is required' });

      const identity = AnalystIdentity.generate();
      const raw = analystClient(
        bench.coord.address,
        await analystChannel(bench.coord, 'raw-analyst', identity.identity),
      );
      const specJson = '{"dataset": ';
      const signed = { specJson, analystIdentity: identity.identity, specSignature: identity.signSpec(specJson) };
      const notJson = await new Promise<{ code: number; details: string }>((resolve) =>
        raw.submitJob(signed, new grpc.Metadata(), (err: { code: number; details: string }) => resolve(err)),
      );
      raw.close();
      expect(notJson.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(notJson.details).toMatch(/^job spec is not valid JSON/);
      expect((await bench.analyst.list()).length).toBe(before);
    });

    it('answers NOT_FOUND for an unknown job on unary and streaming calls', async () => {
      for (const call of [
        () => bench.analyst.get('job-nope'),
        () => bench.analyst.cancel('job-nope'),
        () => bench.analyst.watch('job-nope'),
        () => bench.analyst.result('job-nope'),
      ]) {
        const e = await coordinatorError(call());
        expect(e.code).toBe('NOT_FOUND');
        expect(e.message).toMatch(/^no job "job-nope"/);
      }
    });

    it('answers FAILED_PRECONDITION for the result of a job without a completed round', async () => {
      const job = await bench.analyst.submit({
        dataset: 'nobody-serves-this',
        label: 'y',
        waitForParticipantsSeconds: 60,
      });
      const e = await coordinatorError(bench.analyst.result(job.id));
      expect(e.code).toBe('FAILED_PRECONDITION');
      expect(e.message).toBe(`job ${job.id} is running and has no completed round yet`);
      await bench.analyst.cancel(job.id);
    });

    it('cancels a job waiting for participants; it ends as cancelled, and a second cancel is refused', async () => {
      const job = await bench.analyst.submit({
        dataset: 'nobody-serves-this',
        label: 'y',
        minParticipants: 3,
        waitForParticipantsSeconds: 60,
      });
      expect(job.status).toBe('running');
      await bench.analyst.cancel(job.id);
      const final = await bench.analyst.watch(job.id);
      expect(final).toMatchObject({ status: 'cancelled', error: 'cancelled by the analyst' });
      const again = await coordinatorError(bench.analyst.cancel(job.id));
      expect(again.code).toBe('FAILED_PRECONDITION');
      expect(again.message).toMatch(/already cancelled/);
    });

    it("cancels a job mid-stage: the stage stops at once and the participant's task is cancelled", async () => {
      const dataset = 'stalled';
      const m = await open();
      await m.hello(bench.mallory, [dataset]);
      const job = await bench.analyst.submit({ dataset, label: 'y', minParticipants: 1, roundTimeoutSeconds: 120 });
      const { task } = await m.task();
      expect(task.ref?.stage).toBe(pb.Stage.SCHEMA);
      await bench.analyst.cancel(job.id); // mallory never answers: only the cancel can end this stage early
      const final = await bench.analyst.watch(job.id);
      expect(final.status).toBe('cancelled');
      const cancel = (await m.take('cancel')).cancel!;
      expect(cancel.task).toEqual(expect.objectContaining({ jobId: job.id, stage: pb.Stage.SCHEMA }));
      expect(cancel.reason).toBe('the job was cancelled');
    });
  });
});

describe('Coordinator.stop', () => {
  it('returns while a stream has not said hello and an analyst is watching, leaving the job resumable', async () => {
    const tmp = tempDir();
    const coord = await Coordinator.start({ dataDir: tmp.dir, listen: '127.0.0.1:0' });
    const analyst = await connectAnalystTo(coord);
    const s = await RawStream.open(await enrolIdentity(coord, 'silent'));
    try {
      const job = await analyst.submit({
        dataset: 'nobody',
        label: 'y',
        minParticipants: 2,
        waitForParticipantsSeconds: 60,
      });
      const messages: string[] = [];
      const watching = analyst
        .watch(job.id, (_j, m) => messages.push(m), 0)
        .then(
          () => 'ended',
          (e: Error) => `ended: ${e.message}`,
        );
      await expect.poll(() => messages.length).toBeGreaterThan(0);
      const outcome = await Promise.race([
        coord.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref()),
      ]);
      expect(outcome).toBe('stopped');
      await s.closed;
      expect(await watching).toMatch(/^ended/);
      const store = new SqliteStore(join(tmp.dir, DATABASE_FILE));
      expect((await store.getJob(job.id))?.status).toBe('running');
      await store.close();
    } finally {
      s.close();
      analyst.close();
      tmp.cleanup();
    }
  });
});
