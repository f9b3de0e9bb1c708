import { describe, expect, it } from 'vitest';
import type { ParticipantNode } from '@tessera/participant';
import { tessera } from '@tessera/proto';
import { PLAINTEXT, useAdversarialBench } from './adversarial-bench.js';
import { BREAST_CANCER, shards, startNode } from './grpc-helpers.js';
import { fits } from './helpers.js';

// Misbehaving participants inside an open plaintext round: bad contributions, and disconnects mid-round.

const pb = tessera.v1;

describe('the coordinator against misbehaving participants and analysts (real gRPC on loopback)', () => {
  const bench = useAdversarialBench();
  const { open, nodes } = bench;

  describe('in an open round', () => {
    it('rejects bad plaintext contributions, drops only the offender, and the job completes', async () => {
      const dataset = 'in-round';
      const [a, b] = shards(BREAST_CANCER, 2);
      nodes.push(
        await startNode(bench.coord, bench.dir, 'honest-1', dataset, a, { secure: 'none' }),
        await startNode(bench.coord, bench.dir, 'honest-2', dataset, b, { secure: 'none' }),
      );
      const m = await open();
      await m.hello(bench.mallory, [dataset]);

      const job = await bench.analyst.submit({
        dataset,
        label: 'benign',
        rounds: 5,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 1,
      });
      const events: string[] = [];
      const watched = bench.analyst.watch(job.id, (_j, message) => events.push(message));

      const schema = await m.task();
      expect(schema.task.ref).toEqual(expect.objectContaining({ jobId: job.id, stage: pb.Stage.SCHEMA }));
      m.refuse(bench.mallory, schema.task);
      const stats = await m.task();
      expect(stats.task.ref?.stage).toBe(pb.Stage.STATISTICS);
      m.refuse(bench.mallory, stats.task);

      const expectRejected = async (seq: number, reason: string) => {
        const r = await m.rejection();
        expect(r).toMatchObject({ seq, reason, fatal: false });
      };

      for (let round = 1; round <= 5; round++) {
        const { task, model } = await m.task();
        expect(task.ref).toEqual(expect.objectContaining({ jobId: job.id, round, stage: pb.Stage.FIT }));
        const n = model.length;
        expect(n).toBe(31);
        const ref = task.ref!;
        const update = (values: number[], total = n, offset = 0) => ({
          update: { task: ref, chunk: { offset, total, values } },
        });
        const zeros = (k: number) => new Array<number>(k).fill(0);
        // Uploads are pulled: announce the vector, wait for the coordinator's grant, then send it.
        const granted = async () => {
          m.send(bench.mallory, { ready: { task: ref, total: n } });
          await m.take('grant');
        };
        switch (round) {
          case 1: {
            // A chunk for a stage or round that is not open is refused, and leaves the open task alone ...
            let seq = m.send(bench.mallory, {
              update: {
                task: { jobId: job.id, round: 0, stage: pb.Stage.STATISTICS },
                chunk: { offset: 0, total: n, values: zeros(n) },
              },
            });
            await expectRejected(
              seq,
              `no open task for job ${job.id} round 0 stage statistics (open: job ${job.id} round 1 stage fit)`,
            );
            seq = m.send(bench.mallory, {
              update: { task: { ...ref, round: 2 }, chunk: { offset: 0, total: n, values: zeros(n) } },
            });
            await expectRejected(
              seq,
              `no open task for job ${job.id} round 2 stage fit (open: job ${job.id} round 1 stage fit)`,
            );
            // ... a chunk before the upload was announced (UploadReady) and granted is refused.
            seq = m.send(bench.mallory, update(zeros(n)));
            await expectRejected(seq, 'chunk sent without UploadReady');
            break;
          }
          case 2: {
            await granted();
            const v = zeros(n);
            v[3] = Number.NaN;
            await expectRejected(m.send(bench.mallory, update(v)), 'value NaN at index 3 is not a finite number');
            break;
          }
          case 3: {
            await granted();
            // A valid (if huge) first chunk, then a bad second one.
            m.send(bench.mallory, update(new Array<number>(10).fill(1e6), n, 0));
            const v = zeros(n - 10);
            v[2] = Number.NEGATIVE_INFINITY;
            await expectRejected(
              m.send(bench.mallory, update(v, n, 10)),
              'value -Infinity at index 12 is not a finite number',
            );
            break;
          }
          case 4: {
            await granted();
            m.send(bench.mallory, update(new Array<number>(10).fill(1e6)));
            await expectRejected(
              m.send(bench.mallory, { done: { task: ref, numExamples: 10 } }),
              `the vector is incomplete: 10 of ${n} values arrived before done`,
            );
            break;
          }
          case 5: {
            // An honest (zero) contribution on the same stream is accepted: rejections were not fatal.
            await granted();
            m.send(bench.mallory, update(zeros(n)));
            m.send(bench.mallory, {
              done: { task: ref, numExamples: 1, metrics: [{ name: 'train_loss', value: 0.5 }] },
            });
            break;
          }
        }
        const evaluation = await m.task();
        expect(evaluation.task.ref).toEqual(expect.objectContaining({ round, stage: pb.Stage.EVALUATE }));
        m.refuse(bench.mallory, evaluation.task);
      }

      const final = await watched;
      expect(final.status, final.error).toBe('completed');
      expect(m.has('rejection')).toBe(false);
      const rounds = fits(final);
      expect(rounds.map((r) => [r.round, r.status, r.contributors])).toEqual([
        [1, 'completed', 2],
        [2, 'completed', 2],
        [3, 'completed', 2],
        [4, 'completed', 2],
        [5, 'completed', 3],
      ]);
      for (const r of rounds.slice(0, 4)) expect(r.dropped).toEqual([bench.mallory.id]);
      expect(rounds[4].dropped).toEqual([]);
      for (const r of rounds) expect(Number.isFinite(r.metrics.loss)).toBe(true);
      expect(events.filter((e) => /round \d\/5 completed/.test(e))).toHaveLength(5);
      // The huge partial uploads of rounds 3 and 4 were never added to the sum.
      const result = await bench.analyst.result(job.id);
      expect(result.weights.every((w) => Math.abs(w) < 100)).toBe(true);
    });
  });

  describe('participants that disconnect mid-round (plaintext aggregation)', () => {
    const dropOn = (node: ParticipantNode, times: number) => {
      let left = times;
      node.on('task', (ref: tessera.v1.ITaskRef) => {
        if (left > 0 && ref.stage === pb.Stage.FIT) {
          left--;
          node.dropConnection();
        }
      });
    };

    it('completes the round without the dropped participant when enough remain', async () => {
      const dataset = 'drop-enough';
      const parts = shards(BREAST_CANCER, 3);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(bench.coord, bench.dir, `${dataset}-${i}`, dataset, part, { secure: 'none' }));
      const victim = nodes[2];
      dropOn(victim, 1);
      const back = new Promise<void>((resolve) =>
        victim.once('disconnected', () => victim.once('ready', () => resolve())),
      );

      const job = await bench.analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 3,
        secure: PLAINTEXT,
        seed: 2,
      });
      const final = await bench.analyst.watch(job.id);
      expect(final.status, final.error).toBe('completed');
      const first = fits(final, 1);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ status: 'completed', attempt: 1, contributors: 2, dropped: [victim.id] });
      expect(final.roundsCompleted).toBe(2);
      await back; // it reconnected by itself
    });

    it('fails the round with a reason if too few remain; the retry succeeds once the participant is back', async () => {
      const dataset = 'drop-retry';
      const parts = shards(BREAST_CANCER, 2);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(bench.coord, bench.dir, `${dataset}-${i}`, dataset, part, { secure: 'none' }));
      const victim = nodes[1];
      dropOn(victim, 1);

      const job = await bench.analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 3,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 3,
      });
      const events: string[] = [];
      const final = await bench.analyst.watch(job.id, (_j, message) => events.push(message));
      expect(final.status, final.error).toBe('completed');
      const first = fits(final, 1);
      expect(first.map((r) => [r.attempt, r.status])).toEqual([
        [1, 'failed'],
        [2, 'completed'],
      ]);
      expect(first[0].dropped).toEqual([victim.id]);
      expect(first[0].error).toBe(
        `1 of 2 participants contributed, fewer than minParticipants = 2 (${victim.id}: disconnected during the round)`,
      );
      expect(first[1].contributors).toBe(2);
      expect(events).toContain(`fit round 1 attempt 1 failed: ${first[0].error}`);
      expect(final.roundsCompleted).toBe(2);
    });

    it('fails the job with a clear reason, without hanging, when every attempt loses a participant', async () => {
      const dataset = 'drop-always';
      const parts = shards(BREAST_CANCER, 2);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(bench.coord, bench.dir, `${dataset}-${i}`, dataset, part, { secure: 'none' }));
      const victim = nodes[1];
      dropOn(victim, Number.POSITIVE_INFINITY);

      const job = await bench.analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 2,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 4,
      });
      const final = await bench.analyst.watch(job.id);
      expect(final.status).toBe('failed');
      expect(final.error).toBe(
        'fit round 1 failed 2 time(s); last: 1 of 2 participants contributed, fewer than minParticipants = 2 ' +
          `(${victim.id}: disconnected during the round)`,
      );
      expect(fits(final).map((r) => [r.round, r.attempt, r.status])).toEqual([
        [1, 1, 'failed'],
        [1, 2, 'failed'],
      ]);
      expect(final.roundsCompleted).toBe(0);
    });
  });
});
