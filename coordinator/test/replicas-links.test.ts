/**
 * A Link between two replicas over real gRPC on loopback: the holder's participants (sessions standing in for their
 * streams) as the driver sees them, relayed tasks when a participant reconnects or a stale message comes in, the
 * driver's RemoteSession on close, and the holder's guard of the shared port (hello timeout, secret, refusals).
 */
import { lineLogger, silentLogger } from '@tessera/transport';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ReplicaServiceDefinition, replicaClient, tessera } from '@tessera/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkDriver } from '../src/replicas/link-driver.js';
import { PartialSumHolder } from '../src/replicas/partial-sum-holder.js';
import { RelayTask } from '../src/replicas/relay-task.js';
import { RemoteSession, type RemoteLink } from '../src/replicas/remote-session.js';
import { replicaHandlers } from '../src/replicas/replica-service.js';
import type { OpenTask } from '../src/service/open-task.js';
import type { ParticipantSession } from '../src/service/participant-session.js';
import { SessionRegistry } from '../src/service/registry.js';
import type { TaskKey } from '../src/service/task-ref.js';
import { UploadSlots } from '../src/service/upload-slots.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const A: TaskKey = { jobId: 'job-1', round: 1, stage: tessera.v1.Stage.SCHEMA };
const B: TaskKey = { jobId: 'job-1', round: 2, stage: tessera.v1.Stage.SCHEMA };

/** A task that notes what reached it. */
class RecordingTask implements OpenTask {
  readonly events: string[] = [];
  constructor(readonly key: TaskKey) {}
  onSchema = (r: tessera.v1.ISchemaReport) => {
    this.events.push(`schema ${r.task?.round}`);
    return undefined;
  };
  onChunk = async () => undefined;
  onDone = () => undefined;
  onAdvertise = () => undefined;
  onShareKeys = () => undefined;
  onMaskedChunk = async () => undefined;
  onSealedChunk = () => undefined;
  onEncryptedSegment = () => undefined;
  onPsi = () => undefined;
  onVerticalProgress = () => undefined;
  onValuation = () => undefined;
  onConsistency = () => undefined;
  onUnmask = () => undefined;
  onReady = () => undefined;
  onRefused = (reason: string) => {
    this.events.push(`refused ${reason}`);
  };
  onDisconnect = () => {
    this.events.push('disconnect');
  };
}

/** A participant's stream as the holder's registry holds it: already checked, ready, noting what it was sent. */
class LocalStream implements ParticipantSession {
  readonly name = 'p';
  readonly datasets = ['d'];
  readonly software = 'test';
  readonly connectedAt = Date.now();
  readonly budgets = [];
  readonly rosterSignature = new Uint8Array(0);
  readonly jobSetupSent = new Set<string>();
  readonly statusReadAt = Date.now();
  readonly sent: tessera.v1.ICoordinatorMessage[] = [];
  task: OpenTask | undefined;
  private closed = false;
  private readonly listeners: (() => void)[] = [];
  constructor(readonly participantId: string) {}
  get ready() {
    return !this.closed;
  }
  get busy() {
    return this.task !== undefined;
  }
  async send(m: tessera.v1.ICoordinatorMessage) {
    this.sent.push(m);
  }
  openTask(task: OpenTask) {
    this.task = task;
  }
  closeTask(task: OpenTask) {
    if (this.task === task) this.task = undefined;
  }
  onClose(l: () => void) {
    this.listeners.push(l);
  }
  cutOff() {
    this.close();
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    const t = this.task;
    this.task = undefined;
    t?.onDisconnect();
    for (const l of this.listeners.splice(0)) l();
  }
  /** The participant answers the open (relayed) task with a schema report for `key`. */
  answer(seq: number, key: TaskKey) {
    (this.task as RelayTask).relay(seq, { schema: { task: key } });
  }
}

/** A holder serving ReplicaService on 127.0.0.1:0, and a driver linked to it. */
async function linked(o: { helloTimeoutMs?: number } = {}) {
  const secret = new Uint8Array(randomBytes(32));
  const holder = new SessionRegistry();
  const driver = new SessionRegistry();
  const holderLog: string[] = [];
  let secretReads = 0;
  const server = new grpc.Server();
  server.addService(
    ReplicaServiceDefinition,
    replicaHandlers(
      {
        replicaId: 'holder',
        secret: async () => {
          secretReads++;
          return secret;
        },
        registry: holder,
        slots: new UploadSlots(4, 10_000),
        onEvent: () => undefined,
        onCancelRoute: () => () => undefined,
        logger: lineLogger((l) => holderLog.push(l)),
      },
      o,
    ),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const address = `127.0.0.1:${port}`;
  const links: LinkDriver[] = [];
  const link = (offered = secret) => {
    const l = new LinkDriver('holder', address, {
      replicaId: `driver-${links.length}`,
      secret: offered,
      security: { mode: 'insecure' },
      registry: driver,
      onCancel: () => undefined,
      logger: silentLogger,
    });
    links.push(l);
    l.start();
    return l;
  };
  cleanups.push(() => {
    for (const l of links) l.stop();
    server.forceShutdown();
  });
  return { holder, driver, holderLog, address, link, secretReads: () => secretReads };
}

const remote = (registry: SessionRegistry, id: string) => {
  const s = registry.get(id);
  return s instanceof RemoteSession && s.ready ? s : undefined;
};

describe('LinkHolder and LinkDriver', () => {
  it('a participant reconnecting to the holder during a relayed task stays on the driver, anew', async () => {
    const { holder, driver, link } = await linked();
    link();
    const first = new LocalStream('p1');
    holder.add(first);
    await until('p1 on the driver', () => remote(driver, 'p1') !== undefined);
    const before = remote(driver, 'p1')!;
    const task = new RecordingTask(A);
    before.openTask(task);
    await until('the task relayed to p1', () => first.task instanceof RelayTask);
    first.answer(1, A);
    await until('the answer at the driver', () => task.events.includes('schema 1'));
    // The participant reconnects: its new stream replaces the old one, whose relayed task sees a disconnect.
    const second = new LocalStream('p1');
    holder.add(second);
    await until('the task ended as a disconnect', () => task.events.includes('disconnect'));
    await until('p1 on the driver again', () => {
      const s = remote(driver, 'p1');
      return s !== undefined && s !== before;
    });
    // The new session takes tasks.
    const next = new RecordingTask(B);
    remote(driver, 'p1')!.openTask(next);
    await until('the next task relayed to the new stream', () => second.task instanceof RelayTask);
    second.answer(1, B);
    await until('its answer at the driver', () => next.events.includes('schema 2'));
  });

  it("a stale task's message is rejected to the participant; the open task goes on", async () => {
    const { holder, driver, link } = await linked();
    link();
    const stream = new LocalStream('p1');
    holder.add(stream);
    await until('p1 on the driver', () => remote(driver, 'p1') !== undefined);
    const task = new RecordingTask(B);
    remote(driver, 'p1')!.openTask(task);
    await until('the task relayed to p1', () => stream.task instanceof RelayTask);
    const relayed = stream.task;
    stream.answer(7, A); // an answer to the round before, in flight when round 2 opened
    await until('a rejection of seq 7', () => stream.sent.some((m) => Number(m.rejection?.seq) === 7));
    expect(stream.sent.find((m) => m.rejection)?.rejection?.fatal).toBe(false);
    await sleep(50);
    expect(stream.task).toBe(relayed);
    stream.answer(8, B);
    await until('the open task answered', () => task.events.includes('schema 2'));
    expect(task.events).toEqual(['schema 2']);
  });

  it('ends a link that sends no hello, reads the secret once, and logs refusals at most once per 10 s', async () => {
    const { holder, holderLog, address, link, secretReads } = await linked({ helloTimeoutMs: 300 });
    holder.add(new LocalStream('p1'));
    const client = replicaClient(address, { mode: 'insecure' });
    cleanups.push(() => client.close());
    const silent = client.link!() as grpc.ClientDuplexStream<tessera.v1.ReplicaDown, tessera.v1.ReplicaUp>;
    silent.on('data', () => undefined);
    silent.on('error', () => undefined);
    const started = Date.now();
    const status = await new Promise<grpc.StatusObject>((resolve) => silent.on('status', resolve));
    expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Three links with the secret, three with a wrong one.
    for (let i = 0; i < 3; i++) link();
    for (let i = 0; i < 3; i++) link(new Uint8Array(randomBytes(32)));
    await until('three links welcomed', () => holderLog.filter((l) => /linked to drive jobs/.test(l)).length === 3);
    await sleep(200);
    expect(secretReads()).toBe(1);
    const refusals = holderLog.filter((l) => l.startsWith('refused a replica link'));
    expect(refusals).toEqual(['refused a replica link: no hello within 0.3 s']);
  });
});

describe('RemoteSession', () => {
  const link = (): RemoteLink & { problems: { task: TaskKey; seq: number }[] } => {
    const problems: { task: TaskKey; seq: number }[] = [];
    return {
      replicaId: 'holder',
      problems,
      open: () => undefined,
      close: () => undefined,
      deliver: async () => undefined,
      problem: (_id, task, seq) => problems.push({ task, seq }),
    };
  };

  it('answers relayed before the session closed still reach the open task, then it sees the disconnect', async () => {
    const s = new RemoteSession(link(), { participantId: 'p1' });
    const task = new RecordingTask(A);
    s.openTask(task);
    s.receive(1, { schema: { task: A } });
    s.receive(2, { schema: { task: A } });
    s.close();
    await until('the disconnect', () => task.events.includes('disconnect'));
    expect(task.events).toEqual(['schema 1', 'schema 1', 'disconnect']);
    expect(s.busy).toBe(false);
  });

  it("a message of another task is sent back with that message's own task, not the open one", async () => {
    const l = link();
    const s = new RemoteSession(l, { participantId: 'p1' });
    const task = new RecordingTask(B);
    s.openTask(task);
    s.receive(4, { schema: { task: A } });
    await until('the problem', () => l.problems.length === 1);
    expect(l.problems[0]).toMatchObject({ seq: 4, task: { jobId: 'job-1', round: 1 } });
    expect(task.events).toEqual([]);
  });
});

describe('PartialSumHolder', () => {
  it('sends its partial sum a relative wait after the open, whatever the clocks say', async () => {
    const sent: tessera.v1.IReplicaUp[] = [];
    const key: TaskKey = { jobId: 'job-1', round: 1, stage: tessera.v1.Stage.MASKED_INPUT };
    const holder = new PartialSumHolder(
      key,
      { task: key, dimension: 4, modulus: 2 ** 32, participantIds: ['p1'], indices: [1], flushAfterMs: 300 },
      new UploadSlots(1, 10_000),
      (m) => sent.push(m),
      () => undefined,
    );
    cleanups.push(() => holder.abandon());
    await sleep(100);
    expect(sent).toEqual([]);
    await until('the partial sum', () => sent.length === 1, 2_000);
    expect(sent[0]!.partialSum?.failedIds).toEqual(['p1']);
  });

  it('takes one masked vector per participant: a repeated open does not count it twice', async () => {
    const sent: tessera.v1.IReplicaUp[] = [];
    const key: TaskKey = { jobId: 'job-1', round: 1, stage: tessera.v1.Stage.MASKED_INPUT };
    const holder = new PartialSumHolder(
      key,
      {
        task: key,
        dimension: 3,
        modulus: 2 ** 32,
        participantIds: ['p1', 'p2'],
        indices: [1, 2],
        flushAfterMs: 60_000,
      },
      new UploadSlots(1, 10_000),
      (m) => sent.push(m),
      () => undefined,
    );
    cleanups.push(() => holder.abandon());
    const p1 = new LocalStream('p1');
    const upload = async () => {
      holder.openFor(p1);
      const task = p1.task;
      if (!task) return;
      const grants = () => p1.sent.filter((m) => m.grant).length;
      const before = grants();
      expect(task.onReady({ task: key, total: 3 })).toBeUndefined();
      await until('the upload granted', () => grants() > before);
      expect(await task.onMaskedChunk({ offset: 0, total: 3, words: [5, 6, 7] })).toBeUndefined();
      expect(task.onDone({ task: key })).toBeUndefined();
    };
    await upload();
    expect(p1.task).toBeUndefined();
    await upload(); // the driver's open again (a RelayOpen sent twice)
    holder.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.partialSum?.indices).toEqual([1]);
    expect(sent[0]!.partialSum?.words).toEqual([5, 6, 7]);
  });
});
