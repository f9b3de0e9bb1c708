import { describe, expect, it } from 'vitest';
import { verify } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { ADVERTISE_CONTEXT, advertisedBytes } from '../../packages/secagg/src/config.js';
import { fits } from './helpers.js';
import { spec, sumKey, useSecureBench, type AdvertiseCapture, type Ref } from './secure-bench.js';

// Participants that drop out at each stage of a SecAgg+ fit round: with enough left the round completes without
// them, with too few it fails cleanly and a fresh attempt (fresh round id, fresh keys) completes.

const pb = tessera.v1;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('secure aggregation (SecAgg+) over real gRPC on loopback', () => {
  const bench = useSecureBench();
  const { transcript, advertised, startNodes, run, expectModelsFromSurvivors } = bench;

  describe('dropouts at each secure stage of a fit round', () => {
    const STAGES = [
      ['ADVERTISE_KEYS', pb.Stage.ADVERTISE_KEYS, 'advertise keys', 'participants that advertised keys'],
      ['SHARE_KEYS', pb.Stage.SHARE_KEYS, 'share keys', 'participants that sent shares'],
      ['MASKED_INPUT', pb.Stage.MASKED_INPUT, 'masked input', 'participants that sent masked inputs'],
      ['UNMASK', pb.Stage.UNMASK, 'unmask', 'survivors that answered the unmask request'],
    ] as const;

    /** Drops the connection once, on receiving this stage of fit round 1. */
    const dropOnce = (stage: tessera.v1.Stage) => {
      let armed = true;
      return (ref: Ref) => {
        if (!armed || ref.computation !== pb.Stage.FIT || ref.round !== 1 || ref.stage !== stage) return false;
        armed = false;
        return true;
      };
    };

    it.each(STAGES)(
      "at %s with enough remaining, the round completes without the participant's lost input",
      async (name, stage) => {
        const dataset = `enough-${name}`;
        const started = await startNodes(dataset, 4, (i) => (i === 3 ? { dropAt: dropOnce(stage) } : {}));
        const victim = started[3];
        const { job, events } = await run(spec(dataset));
        expect(job.status, job.error).toBe('completed');
        const [first] = fits(job, 1);
        expect(fits(job, 1)).toHaveLength(1);
        if (stage === pb.Stage.UNMASK) {
          // Its masked input had arrived: the other survivors' shares recover its self-mask, so its input is in the
          // sum.
          expect(first).toMatchObject({ status: 'completed', attempt: 1, contributors: 4, dropped: [] });
        } else {
          expect(first).toMatchObject({ status: 'completed', attempt: 1, contributors: 3, dropped: [victim.id] });
          expect(events.find((e) => e.startsWith('round 1/2 completed'))).toContain(
            `dropped ${victim.id}: disconnected during the round`,
          );
        }
        expect(first.metrics).toMatchObject({ threshold: 3, degree: 3, rejected: 0 });
        expect(job.roundsCompleted).toBe(2);
        await expectModelsFromSurvivors(job);
      },
    );

    it.each(STAGES)(
      'at %s with too few remaining, the round fails with a reason and no model, and a fresh attempt completes',
      async (name, stage, step, what) => {
        const dataset = `too-few-${name}`;
        const started = await startNodes(dataset, 3, (i) => (i === 2 ? { dropAt: dropOnce(stage) } : {}));
        const victim = started[2];
        type AtFailure = { model: Float64Array | undefined; roundsCompleted: number | undefined } | { error: string };
        const atFailure: Promise<AtFailure>[] = [];
        const onEvent = (jobId: string, message: string) => {
          if (!message.startsWith('fit round 1 attempt 1 failed')) return;
          // Both reads start at the failure, before the fresh attempt runs; an error shows in the expectation below.
          const reads = Promise.all([bench.coord.store.loadModel(jobId, 1), bench.coord.store.getJob(jobId)]);
          atFailure.push(
            reads.then(
              ([model, j]) => ({ model, roundsCompleted: j?.roundsCompleted }),
              (e: unknown) => ({ error: String(e) }),
            ),
          );
        };
        bench.coord.events.on('*', onEvent);
        const { job, events } = await run(spec(dataset)).finally(() => bench.coord.events.off('*', onEvent));
        expect(job.status, job.error).toBe('completed');

        const [failed, retried] = fits(job, 1);
        expect(fits(job, 1)).toHaveLength(2);
        const reason =
          `secure aggregation failed: ${step}: ${what}: 2, the threshold is 3 (${victim.id}: ` +
          'disconnected during the round)';
        expect(failed).toMatchObject({
          status: 'failed',
          attempt: 1,
          contributors: 0,
          dropped: [victim.id],
          error: reason,
          metrics: { threshold: 3, degree: 2 },
        });
        expect(events).toContain(`fit round 1 attempt 1 failed: ${reason}`);
        // No partial output: when the attempt failed there was no model for the round.
        expect(await Promise.all(atFailure)).toEqual([{ model: undefined, roundsCompleted: 0 }]);
        expect(retried).toMatchObject({ status: 'completed', attempt: 2, contributors: 3, dropped: [] });
        expect(job.roundsCompleted).toBe(2);
        await expectModelsFromSurvivors(job);

        // The new attempt ran with a fresh round id and fresh keys.
        const ofAttempt = (attempt: number) =>
          advertised.filter(
            (a) => sumKey(a.ref) === sumKey({ jobId: job.id, round: 1, computation: pb.Stage.FIT, attempt }),
          );
        const [one, two] = [ofAttempt(1), ofAttempt(2)];
        expect(one.length).toBe(stage === pb.Stage.ADVERTISE_KEYS ? 2 : 3);
        expect(two.length).toBe(3);
        const roundIds = (list: AdvertiseCapture[]) => new Set(list.map((a) => hex(a.roundId)));
        expect(roundIds(one).size).toBe(1);
        expect(roundIds(two).size).toBe(1);
        expect([...roundIds(two)][0]).not.toBe([...roundIds(one)][0]);
        const oldKeys = new Set(one.map((a) => hex(a.encryptionKey)));
        expect(two.some((a) => oldKeys.has(hex(a.encryptionKey)))).toBe(false);
        // The AdvertiseKeys the coordinator recorded: attempt 2's verify under attempt 2's round id, attempt 1's never
        // do.
        const roundId2 = two[0].roundId;
        const recorded = (attempt: number) =>
          transcript.filter(
            (t) =>
              t.message.body === 'advertise' &&
              sumKey(t.message.advertise!.task) ===
                sumKey({ jobId: job.id, round: 1, computation: pb.Stage.FIT, attempt }),
          );
        const signedFor = async (t: (typeof transcript)[number], roundId: Uint8Array) => {
          const a = t.message.advertise!;
          const key = (await bench.coord.store.getParticipant(t.participantId))!.publicKey;
          return [0, 1, 2].some((i) =>
            verify(ADVERTISE_CONTEXT, advertisedBytes(roundId, i, a.encryptionKey!, a.maskingKey!), a.signature!, key),
          );
        };
        expect(recorded(2)).toHaveLength(3);
        for (const t of recorded(2)) expect(await signedFor(t, roundId2)).toBe(true);
        expect(recorded(1)).toHaveLength(one.length);
        for (const t of recorded(1)) expect(await signedFor(t, roundId2)).toBe(false);
      },
    );
  });
});
