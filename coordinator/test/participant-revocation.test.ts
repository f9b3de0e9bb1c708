import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import type { ParticipantNode } from '@tessera/participant';
import {
  createEnrollmentToken,
  issueEnrollmentToken,
  listEnrolledParticipants,
  revokeEnrollmentToken,
  setParticipantStatus,
} from '../src/index.js';
import { PLAINTEXT, useAdversarialBench } from './adversarial-bench.js';
import { BREAST_CANCER, enrolIdentity, rawEnroll, shards, signedEnrollRequest, startNode } from './grpc-helpers.js';
import { fits } from './helpers.js';

// The enrolment life cycle against a running coordinator. The operator's commands change the data directory from
// another process (tessera coordinator participants revoke ...); here they open the store themselves, as the CLI does,
// and the running coordinator has to notice on its own.

const REVOKED =
  /^participant p-[0-9a-f]+ \(.+\) was revoked by the coordinator operator at .+: it can no longer connect/;
const DISABLED = /^participant p-[0-9a-f]+ \(.+\) was disabled by the coordinator operator at .+: it is refused until/;

/** The next reason a node is given for a rejection. */
const nextRejection = (node: ParticipantNode) =>
  new Promise<string>((resolve) => node.once('rejected', (reason: string) => resolve(reason)));

describe('the enrolment life cycle on a running coordinator (real gRPC on loopback)', () => {
  const bench = useAdversarialBench();
  const dataDir = () => bench.coord.options.dataDir;

  describe('enrolment', () => {
    it('refuses an expired token and a revoked token with what to do, and keeps them unused', async () => {
      const expired = await createEnrollmentToken(dataDir(), 'late', { now: Date.now() - 60_000, expiresInMs: 1000 });
      const late = await rawEnroll(bench.coord, signedEnrollRequest(expired, '', generateSigningKeyPair()));
      expect(late.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(late.error?.details).toMatch(
        /^this enrolment token \(tok-[0-9a-f]+\) expired at .+: ask the coordinator /,
      );
      expect(late.error?.details).toMatch(
        /: ask the coordinator operator for a new one \(tessera coordinator enroll late\)$/,
      );

      const issued = await issueEnrollmentToken(dataDir(), 'withdrawn');
      expect((await revokeEnrollmentToken(dataDir(), issued.id)).status).toBe('revoked');
      const withdrawn = await rawEnroll(bench.coord, signedEnrollRequest(issued.token, '', generateSigningKeyPair()));
      expect(withdrawn.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(withdrawn.error?.details).toMatch(
        new RegExp(`^this enrolment token \\(${issued.id}\\) was revoked by the coordinator operator at `),
      );
      expect((await listEnrolledParticipants(dataDir())).map((p) => p.name)).not.toContain('late');
      expect((await listEnrolledParticipants(dataDir())).map((p) => p.name)).not.toContain('withdrawn');
    });

    it("takes the operator's name for the participant: another is refused naming both; none takes it", async () => {
      const token = await createEnrollmentToken(dataDir(), 'm1');
      const keys = generateSigningKeyPair();
      const wrong = await rawEnroll(bench.coord, signedEnrollRequest(token, 'm2', keys));
      expect(wrong.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(wrong.error?.details).toContain('named "m1", not "m2"');
      const unnamed = await rawEnroll(bench.coord, signedEnrollRequest(token, '', keys));
      expect(unnamed.error).toBeUndefined();
      expect(unnamed.response?.name).toBe('m1');
    });
  });

  describe('a participant the operator disables or revokes', () => {
    it('is refused at hello while disabled, welcomed once enabled, and refused for good once revoked', async () => {
      const who = await enrolIdentity(bench.coord, 'toggled');
      await setParticipantStatus(dataDir(), who.id, 'disabled');
      const s1 = await bench.open(who);
      s1.send(who, { hello: { software: 'raw-test/0', datasets: [] } });
      expect(await s1.rejection()).toMatchObject({ fatal: true, reason: expect.stringMatching(DISABLED) });
      await s1.closed;

      await setParticipantStatus(dataDir(), who.id, 'active');
      const s2 = await bench.open(who);
      expect((await s2.hello(who)).participantId).toBe(who.id);
      s2.close();

      await setParticipantStatus(dataDir(), who.id, 'revoked');
      const s3 = await bench.open(who);
      s3.send(who, { hello: { software: 'raw-test/0', datasets: [] } });
      expect(await s3.rejection()).toMatchObject({ fatal: true, reason: expect.stringMatching(REVOKED) });
      await expect(setParticipantStatus(dataDir(), who.id, 'active')).rejects.toThrow(/revocation is final/);
    });

    it('is cut off mid-stage within about a second, and the job completes with the others', async () => {
      const dataset = 'revoked-mid-job';
      const [a, b] = shards(BREAST_CANCER, 2);
      bench.nodes.push(
        await startNode(bench.coord, bench.dir, 'stays-1', dataset, a, { secure: 'none' }),
        await startNode(bench.coord, bench.dir, 'stays-2', dataset, b, { secure: 'none' }),
      );
      // The participant to revoke holds its task without answering: only the cut-off can end its part of the stage
      // before the stage's 30 s timeout.
      const victim = await enrolIdentity(bench.coord, 'to-revoke');
      const m = await bench.open(victim);
      await m.hello(victim, [dataset]);
      const job = await bench.analyst.submit({
        dataset,
        label: 'benign',
        rounds: 3,
        minParticipants: 2,
        roundTimeoutSeconds: 30,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 3,
      });
      await m.task(); // the schema stage's task, left unanswered

      const revokedAt = Date.now();
      const revoked = await setParticipantStatus(dataDir(), victim.id, 'revoked');
      expect(revoked).toMatchObject({ status: 'revoked', previousStatus: 'active' });
      const rejection = await m.rejection(10_000);
      expect(rejection).toMatchObject({ fatal: true, reason: expect.stringMatching(REVOKED) });
      await m.closed;
      expect(Date.now() - revokedAt).toBeLessThan(3000);

      const final = await bench.analyst.watch(job.id);
      expect(final.status, final.error).toBe('completed');
      expect(final.roundsCompleted).toBe(3);
      for (const r of fits(final)) expect(r).toMatchObject({ status: 'completed', contributors: 2 });
      expect(bench.coord.registry.get(victim.id)).toBeUndefined();

      // Its reconnection is refused at hello.
      const again = await bench.open(victim);
      again.send(victim, { hello: { software: 'raw-test/0', datasets: [dataset] } });
      expect(await again.rejection()).toMatchObject({ fatal: true, reason: expect.stringMatching(REVOKED) });
      expect((await listEnrolledParticipants(dataDir())).find((p) => p.id === victim.id)?.status).toBe('revoked');
    });

    it('cuts off a connected node when disabled; once enabled, the node reconnects by itself', async () => {
      const [part] = shards(BREAST_CANCER, 1);
      const node = await startNode(bench.coord, bench.dir, 'paused', 'paused-data', part);
      bench.nodes.push(node);
      const told = nextRejection(node);
      await setParticipantStatus(dataDir(), node.id, 'disabled');
      expect(await told).toMatch(DISABLED);
      const back = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      await setParticipantStatus(dataDir(), node.id, 'active');
      await back;
      expect(bench.coord.registry.get(node.id)?.ready).toBe(true);
      const seen = (await listEnrolledParticipants(dataDir())).find((p) => p.id === node.id);
      expect(seen?.lastSeenAt).not.toBeNull();
    });
  });
});
