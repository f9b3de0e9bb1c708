import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sign } from '@tessera/crypto';
import { JOB_SPEC_CONTEXT } from '@tessera/jobs';
import { analystClient } from '@tessera/proto';
import { AnalystClient, AnalystIdentity } from '@tessera/sdk';
import { Coordinator, revokeAnalyst } from '../src/index.js';
import { coordinatorError } from './adversarial-bench.js';
import { analystChannel, connectAnalystTo, enrolIdentity, rawSubmit } from './grpc-helpers.js';
import { tempDir } from './helpers.js';
import { startedCoordinator } from './started-coordinator.js';
import { TestSealedAnalyst } from './sealed-analyst.js';

// Issue 14, one identity per analyst: analyst B cannot get, watch, cancel, fetch the result of, or attach to analyst
// A's job, and every spec carries a verified signature by the submitting analyst's registered identity.

/** A job nobody serves: it waits for participants, so it stays running for the calls below. */
const WAITING = { dataset: 'nobody-serves-this', label: 'y', minParticipants: 2, waitForParticipantsSeconds: 120 };

/** What AttachSealed answers to an attach: the status that ends it, or undefined if it stays open. */
function attachStatus(client: AnalystClient, jobId: string): Promise<grpc.StatusObject | undefined> {
  const call = client.attachSealedStream();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      call.cancel();
      resolve(undefined);
    }, 2000);
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    call.on('status', (s: grpc.StatusObject) => {
      clearTimeout(timer);
      resolve(s);
    });
    call.write({ jobId, attach: true });
  });
}

describe('each analyst sees and acts on its own jobs only', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let alice: AnalystClient;
  let bob: AnalystClient;
  let sealedAlice: TestSealedAnalyst;
  let job: string;
  let sealedJob: string;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    sealedAlice = await TestSealedAnalyst.create(coord, 'alice');
    alice = await connectAnalystTo(coord, 'alice', AnalystIdentity.fromSecretKey(sealedAlice.identity.secretKey));
    bob = await connectAnalystTo(coord, 'bob');
    job = (await alice.submit(WAITING)).id;
    sealedJob = (await sealedAlice.submit({ ...WAITING, secure: { mode: 'sealed' } })).id;
  });
  afterAll(async () => {
    alice?.close();
    bob?.close();
    sealedAlice?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it("refuses B every call on A's job with PERMISSION_DENIED", async () => {
    for (const [what, call] of [
      ['get', () => bob.get(job)],
      ['watch', () => bob.watch(job)],
      ['cancel', () => bob.cancel(job)],
      ['result', () => bob.result(job)],
      ['ledger', () => bob.exportLedger(job)],
    ] as const) {
      const e = await coordinatorError(call());
      expect(e.code, what).toBe('PERMISSION_DENIED');
      expect(e.message, what).toBe(
        `job ${job} belongs to another analyst: analyst bob sees and acts on its own jobs only`,
      );
    }
    const attached = await attachStatus(bob, sealedJob);
    expect(attached?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(attached?.details).toContain('analyst bob sees and acts on its own jobs only');
    // A's jobs are untouched, and A still reaches them.
    expect((await alice.get(job)).status).toBe('running');
    expect((await alice.get(sealedJob)).owner).toBe('alice');
    expect(await attachStatus(alice, sealedJob)).toBeUndefined(); // attached: the stream stays open
  });

  it("lists each analyst's own jobs only", async () => {
    const bobs = (await bob.submit(WAITING)).id;
    expect((await bob.list()).map((j) => j.id)).toEqual([bobs]);
    expect((await alice.list()).map((j) => j.id).sort()).toEqual([job, sealedJob].sort());
    await bob.cancel(bobs);
  });

  it('lets A cancel its own job', async () => {
    const own = (await alice.submit(WAITING)).id;
    await alice.cancel(own);
    expect((await alice.watch(own)).status).toBe('cancelled');
  });

  it('refuses an unsigned spec, a forged signature, and one signed by another identity than the caller', async () => {
    const a = generateSigningKeyPair();
    const specJson = JSON.stringify(WAITING);
    const signature = (json: string, key = a.secretKey) => sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(json), key);
    const unsigned = await rawSubmit(coord, 'carol', a.publicKey, { specJson, analystIdentity: a.publicKey });
    expect(unsigned.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(unsigned.error?.details).toMatch(/^the job spec is not signed/);
    const forged = await rawSubmit(coord, 'carol', a.publicKey, {
      specJson,
      analystIdentity: a.publicKey,
      specSignature: signature('{"dataset": "another spec"}'),
    });
    expect(forged.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(forged.error?.details).toMatch(/^spec_signature does not verify/);
    // Validly signed, but by an identity that is not the calling analyst's (carol signing as dave).
    const dave = generateSigningKeyPair();
    const other = await rawSubmit(coord, 'carol', a.publicKey, {
      specJson,
      analystIdentity: dave.publicKey,
      specSignature: signature(specJson, dave.secretKey),
    });
    expect(other.error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(other.error?.details).toMatch(/is not the identity analyst carol is registered with/);
    const ok = await rawSubmit(coord, 'carol', a.publicKey, {
      specJson,
      analystIdentity: a.publicKey,
      specSignature: signature(specJson),
    });
    expect(ok.job?.owner).toBe('carol');
    expect(ok.job?.analystIdentity).toBe(Buffer.from(a.publicKey).toString('hex'));
  });

  it("refuses a sealed job whose key another identity signed than the spec's", async () => {
    const swapped = Object.assign(Object.create(sealedAlice) as TestSealedAnalyst, {
      keySigner: generateSigningKeyPair(),
    });
    await expect(swapped.submit({ ...WAITING, secure: { mode: 'sealed' } })).rejects.toThrow(
      /not signed by the analyst identity/,
    );
  });

  it('refuses a revoked analyst at its next call, and a participant certificate on the analyst service', async () => {
    const erin = await connectAnalystTo(coord, 'erin');
    try {
      await erin.list();
      await revokeAnalyst(coord.options.dataDir, 'erin');
      const e = await coordinatorError(erin.list());
      expect(e.code).toBe('PERMISSION_DENIED');
      expect(e.message).toMatch(/^analyst erin was revoked by the coordinator operator at /);
    } finally {
      erin.close();
    }
    const node = await enrolIdentity(coord, 'merchant');
    const raw = analystClient(coord.address, node.clientSecurity);
    const status = await new Promise<grpc.ServiceError>((resolve) =>
      raw.listJobs({}, (e: grpc.ServiceError) => resolve(e)),
    );
    raw.close();
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toContain(`its client certificate is for participant ${node.id}, not for a analyst`);
  });
});

describe('analysts of a plaintext coordinator sign each call', () => {
  const started = startedCoordinator({ insecure: true });

  it('serves a registered analyst its own jobs, and refuses B and an unregistered identity', async () => {
    const alice = await connectAnalystTo(started.coord, 'alice');
    const bob = await connectAnalystTo(started.coord, 'bob');
    const stranger = connectStranger(started.coord);
    try {
      const job = (await alice.submit(WAITING)).id;
      expect((await alice.get(job)).owner).toBe('alice');
      expect((await coordinatorError(bob.get(job))).code).toBe('PERMISSION_DENIED');
      const e = await coordinatorError(stranger.list());
      expect(e.code).toBe('UNAUTHENTICATED');
      expect(e.message).toMatch(/is not a registered analyst at this coordinator/);
    } finally {
      for (const c of [alice, bob, stranger]) c.close();
    }
  });

  it('refuses an unsigned call and a replayed one', async () => {
    const identity = generateSigningKeyPair();
    const security = await analystChannel(started.coord, 'replayer', identity.publicKey);
    const raw = analystClient(started.coord.address, security);
    const list = (metadata: grpc.Metadata) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        raw.listJobs({}, metadata, (e: grpc.ServiceError | null) => resolve(e)),
      );
    const unsigned = await list(new grpc.Metadata());
    expect(unsigned?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(unsigned?.details).toMatch(/must be signed by the analyst/);
    const signed = new grpc.Metadata();
    signed.set('tessera-analyst-call', AnalystIdentity.fromSecretKey(identity.secretKey).signCall(LIST_JOBS));
    expect(await list(signed)).toBeNull();
    const replayed = await list(signed);
    expect(replayed?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(replayed?.details).toMatch(/already made \(replayed\?\)/);
    raw.close();
  });
});

const LIST_JOBS = '/tessera.v1.AnalystService/ListJobs';

/** A client with an identity no operator registered. */
function connectStranger(coord: Coordinator): AnalystClient {
  return new AnalystClient(coord.address, AnalystIdentity.generate(), coord.clientSecurity);
}
