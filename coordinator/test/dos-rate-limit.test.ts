import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParticipantNode } from '@tessera/participant';
import { participantClient, resourceLimitOf } from '@tessera/proto';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { PLAINTEXT } from './adversarial-bench.js';
import { BREAST_CANCER, connectAnalystTo, type Dial, rawEnroll, shards, startNode } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

// The rate limit of unauthenticated calls (Enroll, opening a Connect stream), per peer address: a flood from one
// address is refused with RESOURCE_EXHAUSTED naming the limit, and the participants already connected (from the
// same address, here: everything is on loopback) keep training.

const DATASET = 'flood';
/** Two enrolments and two Connect streams for the honest participants, and two more calls. */
const BURST = 6;

/** Opens a Connect stream and resolves with the status that ends it (or undefined if it is welcomed open). */
function connectStatus(coord: Dial): Promise<grpc.StatusObject | undefined> {
  const client = participantClient(coord.address, coord.clientSecurity);
  const call = client.connect() as grpc.ClientDuplexStream<unknown, unknown>;
  return new Promise((resolve) => {
    call.on('error', () => undefined);
    call.on('data', () => {
      call.cancel();
      client.close();
      resolve(undefined);
    });
    call.on('status', (status: grpc.StatusObject) => {
      client.close();
      resolve(status);
    });
  });
}

describe('denial of service: the rate limit of unauthenticated calls', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  let honest: ParticipantNode[] = [];

  beforeAll(async () => {
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      limits: { unauthenticatedBurst: BURST, unauthenticatedPerSecond: 0.01 },
    });
    analyst = await connectAnalystTo(coord);
    const [a, b] = shards(BREAST_CANCER, 2);
    honest = [
      await startNode(coord, tmp.dir, 'honest-1', DATASET, a, { secure: 'none' }),
      await startNode(coord, tmp.dir, 'honest-2', DATASET, b, { secure: 'none' }),
    ];
  });
  afterAll(async () => {
    await Promise.all(honest.map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('refuses an enrolment and Connect flood from one address, naming the limit, while the job runs', async () => {
    const job = await analyst.submit({
      dataset: DATASET,
      label: 'benign',
      rounds: 3,
      minParticipants: 2,
      secure: PLAINTEXT,
      seed: 1,
    });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await rawEnroll(coord, { token: `tse_guess${i}`, name: 'x' }));
    const codes = answers.map((a) => a.error?.code);
    // The burst left after the honest participants' four calls answers two guesses (refused on their merits) ...
    expect(codes.slice(0, BURST - 4).every((c) => c !== grpc.status.RESOURCE_EXHAUSTED)).toBe(true);
    // ... and the flood is then refused before the service sees it.
    const flood = answers.slice(BURST - 4);
    expect(flood.every((a) => resourceLimitOf(a.error) === 'rate-limit')).toBe(true);
    expect(flood[0]!.error!.details).toMatch(
      new RegExp(
        '^too many unauthenticated calls from 127\\.0\\.0\\.1: the rate limit is 6 at once, then 0\\.01 a second ' +
          '\\(limits unauthenticatedBurst, unauthenticatedPerSecond\\); retry in \\d+\\.\\d s$',
      ),
    );
    const connect = await connectStatus(coord);
    expect(resourceLimitOf(connect)).toBe('rate-limit');

    const final = await analyst.watch(job.id);
    expect(final.status, final.error).toBe('completed');
    expect(final.history.filter((h) => h.stage === 'fit').map((h) => h.contributors)).toEqual([2, 2, 2]);
  });
});
