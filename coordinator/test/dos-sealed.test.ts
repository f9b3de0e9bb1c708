import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciphertextMaxBytes } from '@tessera/he';
import { parseJobSpec } from '@tessera/jobs';
import type { ParticipantNode } from '@tessera/participant';
import type { tessera } from '@tessera/proto';
import { AnalystIdentity, type AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { tempDir } from './helpers.js';
import { TestSealedAnalyst } from './sealed-analyst.js';

// Junk sealed uploads: a participant that sends a 4 MiB "ciphertext" (a real one under n = 4096 is about 90 KB)
// is refused at its first chunk, naming the limit, before the coordinator keeps any of it; the job completes with
// the honest participants. (That 40 such chunks keep nothing: resource-limit-parts.test.ts.)

const MiB = 1024 * 1024;

describe('denial of service: junk sealed chunks are capped', () => {
  const tmp = tempDir();
  const log: string[] = [];
  let coord: Coordinator;
  let analyst: TestSealedAnalyst;
  let plain: AnalystClient;
  const nodes: ParticipantNode[] = [];

  beforeAll(async () => {
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      uploadSlots: 1,
      log: (line) => log.push(line),
    });
    analyst = await TestSealedAnalyst.create(coord);
    // The same analyst, through the client API: it sees the sealed analyst's jobs because they are its own.
    plain = await connectAnalystTo(coord, 'sealed-analyst', AnalystIdentity.fromSecretKey(analyst.identity.secretKey));
    const parts = shards(BREAST_CANCER, 3);
    for (let i = 0; i < 3; i++) nodes.push(await startNode(coord, tmp.dir, `s${i}`, 'patients', parts[i]!));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    analyst?.close();
    plain?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it("refuses a ciphertext over the round parameters' size, and the job completes without its sender", async () => {
    const junk = new Uint8Array(4 * MiB).fill(0xa5);
    const mallory = nodes[0]! as unknown as { send: (body: tessera.v1.IParticipantMessage) => Promise<void> };
    const send = mallory.send;
    mallory.send = function (this: unknown, m: tessera.v1.IParticipantMessage) {
      return send.call(this, m.sealed ? { ...m, sealed: { ...m.sealed, ciphertext: junk } } : m);
    };
    try {
      const body = {
        dataset: 'patients',
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        seed: 'junk',
        roundTimeoutSeconds: 20,
        secure: { mode: 'sealed' },
      };
      const submitted = await analyst.submit(body);
      await analyst.attach(submitted.id, parseJobSpec(body));
      const job = await plain.get(submitted.id);
      expect(job.status, job.error).toBe('completed');
      const fits = job.history.filter((h) => h.stage === 'fit');
      expect(fits.map((h) => [h.status, h.contributors])).toEqual([
        ['completed', 2],
        ['completed', 2],
      ]);
      for (const h of fits) {
        expect(h.dropped).toEqual([nodes[0]!.id]);
        expect(h.metrics.rejected).toBeGreaterThanOrEqual(1);
      }
      const max = ciphertextMaxBytes(analyst.params);
      const refusals = log.filter((l) => l.includes('limit: sealed ciphertext size'));
      expect(refusals.length).toBeGreaterThanOrEqual(3); // statistics and both rounds
      expect(refusals[0]).toContain(
        `rejected a message from ${nodes[0]!.id}: ciphertext 0 has ${4 * MiB} bytes, more than the ${max} one under ` +
          "this round's encryption parameters can take (limit: sealed ciphertext size)",
      );
    } finally {
      mallory.send = send;
    }
  });
});
