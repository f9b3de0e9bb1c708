import { expect } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '@tessera/crypto';
import { readCsvFile, toCsv, type RawTable } from '@tessera/data';
import { createTlsKey, enroll, ParticipantNode, type ParticipantNodeOptions } from '@tessera/participant';
import {
  ENROLL_CONTEXT,
  enrollmentMessage,
  analystClient,
  participantClient,
  sealParticipantMessage,
  tessera,
  type ChannelSecurity,
  type GenericClient,
} from '@tessera/proto';
import { AnalystIdentity, connectLocalAnalyst, newTlsKey, type AnalystClient, type AnalystKeys } from '@tessera/sdk';
import { certifyAnalyst, createEnrollmentToken, type Coordinator } from '../src/index.js';

const pb = tessera.v1;
type CoordinatorMessage = tessera.v1.CoordinatorMessage;
type Body = NonNullable<CoordinatorMessage['body']>;

export const BREAST_CANCER = fileURLToPath(new URL('../../examples/data/breast_cancer.csv', import.meta.url));

/** `parts` disjoint shards of a CSV file, rows dealt round-robin (every shard gets both classes). */
export function shards(file: string, parts: number): RawTable[] {
  const table = readCsvFile(file);
  return Array.from({ length: parts }, (_, p) => ({ ...table, rows: table.rows.filter((_r, i) => i % parts === p) }));
}

/** The identities connectAnalystTo made, per data directory and name: the same name is the same analyst again. */
const testAnalysts = new Map<string, AnalystIdentity>();

/**
 * An analyst of this coordinator, registered directly on its data directory as its operator can (default name
 * "analyst"; called again with the same name, after a restart too, it is the same analyst). With keys, their identity
 * (sealed jobs).
 */
export function connectAnalystTo(
  coord: Pick<Coordinator, 'address' | 'clientSecurity' | 'options'>,
  name = 'analyst',
  identity?: AnalystKeys | AnalystIdentity,
): Promise<AnalystClient> {
  const key = `${coord.options.dataDir}\u0000${name}`;
  const remembered = testAnalysts.get(key) ?? AnalystIdentity.generate();
  testAnalysts.set(key, remembered);
  return connectLocalAnalyst({
    dataDir: coord.options.dataDir,
    address: coord.address,
    security: coord.clientSecurity,
    name,
    identity: identity ?? remembered,
  });
}

/**
 * The channel of analyst `name` with this Ed25519 identity, registered directly: TLS with its client certificate (or
 * plaintext), for tests that make raw analyst calls.
 */
export async function analystChannel(
  coord: Pick<Coordinator, 'clientSecurity'> & { options: { dataDir: string } },
  name: string,
  identity: Uint8Array,
): Promise<ChannelSecurity> {
  const tlsKey = await newTlsKey();
  const { tls } = await certifyAnalyst(coord.options.dataDir, name, identity, tlsKey.publicKey);
  return coord.clientSecurity.mode === 'tls' && tls
    ? { ...coord.clientSecurity, clientCertificate: { certPem: tls.certPem, keyPem: tlsKey.keyPem } }
    : coord.clientSecurity;
}

/**
 * A raw SubmitJob as analyst `name` registered with `identity` (its client certificate on the channel), for requests
 * an AnalystClient would not make: unsigned, forged or signed by another key. The gRPC error, or the job.
 */
export async function rawSubmit(
  coord: Pick<Coordinator, 'address' | 'clientSecurity' | 'options'>,
  name: string,
  identity: Uint8Array,
  request: tessera.v1.ISubmitJobRequest,
): Promise<{ error?: grpc.ServiceError; job?: tessera.v1.Job }> {
  const client = analystClient(coord.address, await analystChannel(coord, name, identity));
  return new Promise((resolve) =>
    client.submitJob!(request, (error: grpc.ServiceError | null, job: tessera.v1.Job) => {
      client.close();
      resolve(error ? { error } : { job });
    }),
  );
}

/** Where a test dials: a coordinator's address and how to secure the channel (a Coordinator is one). */
export type Dial = Pick<Coordinator, 'address' | 'clientSecurity'>;

/**
 * An enrolled identity: a participant id bound to an Ed25519 key, and the channel its node dials (TLS with the client
 * certificate the coordinator issued at enrolment), so a stream opened with it passes mutual TLS.
 */
export interface Identity extends Dial {
  id: string;
  name: string;
  keys: SigningKeyPair;
}

/** What signs a participant's messages: its id and identity key. */
export type Signer = Pick<Identity, 'id' | 'keys'> & Partial<Identity>;

/** Enrols a fresh key (and TLS key) with a one-time token, as `tessera participant init` does. */
export async function enrolIdentity(coord: Coordinator, name: string): Promise<Identity> {
  const keys = generateSigningKeyPair();
  const token = await createEnrollmentToken(coord.options.dataDir, name);
  const tls = coord.clientSecurity.mode === 'tls' ? await createTlsKey() : undefined;
  const enrolled = await enroll(coord.address, token, name, keys, coord.clientSecurity, tls?.publicKey);
  const clientSecurity: ChannelSecurity =
    coord.clientSecurity.mode === 'tls' && tls
      ? { ...coord.clientSecurity, clientCertificate: { certPem: enrolled.clientCertificate, keyPem: tls.keyPem } }
      : coord.clientSecurity;
  return { id: enrolled.participantId, name, keys, address: coord.address, clientSecurity };
}

/** A raw Enroll call: the gRPC error (with its status code) or the response. */
export function rawEnroll(
  coord: Dial,
  request: tessera.v1.IEnrollRequest,
): Promise<{ error?: grpc.ServiceError; response?: tessera.v1.EnrollResponse }> {
  const client = participantClient(coord.address, coord.clientSecurity);
  return new Promise((resolve) => {
    client.enroll(
      request,
      { deadline: Date.now() + 10_000 },
      (error: grpc.ServiceError | null, response: tessera.v1.EnrollResponse) => {
        client.close();
        resolve(error ? { error } : { response });
      },
    );
  });
}

export function signedEnrollRequest(token: string, name: string, keys: SigningKeyPair): tessera.v1.IEnrollRequest {
  return {
    token,
    name,
    publicKey: keys.publicKey,
    signature: sign(ENROLL_CONTEXT, enrollmentMessage(token, keys.publicKey), keys.secretKey),
  };
}

/**
 * A hand-driven Connect stream: every coordinator message lands in an inbox that tests take
 * from by body kind; participant messages are sealed (or forged) by the test.
 */
export class RawStream {
  private readonly client: GenericClient;
  readonly call: grpc.ClientDuplexStream<tessera.v1.SignedMessage, CoordinatorMessage>;
  private readonly inbox: CoordinatorMessage[] = [];
  private readonly received: string[] = [];
  private wake: () => void = () => undefined;
  private closedFlag = false;
  readonly closed: Promise<void>;
  challenge: Uint8Array = new Uint8Array(0);
  seq = 0;

  private constructor(coord: Dial) {
    this.client = participantClient(coord.address, coord.clientSecurity);
    this.call = this.client.connect() as grpc.ClientDuplexStream<tessera.v1.SignedMessage, CoordinatorMessage>;
    this.call.on('data', (m: CoordinatorMessage) => {
      this.inbox.push(m);
      this.received.push(m.body ?? '?');
      this.wake();
    });
    this.call.on('error', () => undefined);
    // The coordinator ending the call shows as its status (the client's writable side may stay open).
    this.closed = new Promise((resolve) => {
      const ended = () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      };
      this.call.on('status', ended);
      this.call.on('close', ended);
    });
  }

  /** Opens a stream and waits for the coordinator's challenge. */
  static async open(coord: Dial): Promise<RawStream> {
    const s = new RawStream(coord);
    s.challenge = (await s.take('challenge')).challenge!.nonce ?? new Uint8Array(0);
    expect(s.challenge.length).toBe(32);
    return s;
  }

  /** Removes and returns the first message of this kind (waiting for it). */
  async take(
    body: Body,
    timeoutMs = 10_000,
    where: (m: CoordinatorMessage) => boolean = () => true,
  ): Promise<CoordinatorMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.body === body && where(m));
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      if (this.closedFlag)
        throw new Error(`stream closed while waiting for ${body}; received so far: ${this.received.join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${body} within ${timeoutMs} ms; received so far: ${this.received.join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async rejection(timeoutMs?: number): Promise<tessera.v1.IRejection> {
    return (await this.take('rejection', timeoutMs)).rejection!;
  }

  /** True if a message of this kind is waiting in the inbox now. */
  has(body: Body): boolean {
    return this.inbox.some((m) => m.body === body);
  }

  write(signed: tessera.v1.ISignedMessage): void {
    this.call.write(pb.SignedMessage.create(signed));
  }

  /** Seals a message the way an honest participant does (this stream's challenge, the next seq); returns its seq. */
  send(
    who: Signer,
    body: Omit<tessera.v1.IParticipantMessage, 'session' | 'seq'>,
    override: { seq?: number; session?: Uint8Array } = {},
  ): number {
    const seq = override.seq ?? ++this.seq;
    this.write(
      sealParticipantMessage(who.id, { ...body, session: override.session ?? this.challenge, seq }, who.keys.secretKey),
    );
    return seq;
  }

  /** Says hello and waits for the welcome. */
  async hello(who: Signer, datasets: string[] = []): Promise<tessera.v1.IWelcome> {
    this.send(who, { hello: { software: 'raw-test/0', datasets } });
    return (await this.take('welcome')).welcome!;
  }

  /** Waits for the next task, then (for FIT/EVALUATE) for the whole global model. */
  async task(timeoutMs = 15_000): Promise<{ task: tessera.v1.ITask; model: Float64Array }> {
    const task = (await this.take('task', timeoutMs)).task!;
    const n = Number(task.modelLength ?? 0);
    const model = new Float64Array(n);
    let received = 0;
    while (received < n) {
      const chunk = (await this.take('model', timeoutMs)).model!.chunk!;
      model.set(chunk.values ?? [], Number(chunk.offset));
      received += (chunk.values ?? []).length;
    }
    return { task, model };
  }

  refuse(who: Signer, task: tessera.v1.ITask, reason = 'not today'): number {
    return this.send(who, { refused: { task: task.ref, reason } });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/**
 * Writes a shard to CSV and starts a real participant node on it; resolves once welcomed.
 * `extra` adds node options (for example a `dropAt` hook or a `log`), and `secure` the data set's secure requirement:
 * a test that runs plaintext jobs (secure.mode none) opts its nodes in with `secure: 'none'`.
 */
export async function startNode(
  coord: Coordinator,
  dir: string,
  name: string,
  dataset: string,
  shard: RawTable,
  extra: Partial<Pick<ParticipantNodeOptions, 'dropAt' | 'log'>> & { secure?: 'none' | 'masked' | 'sealed' } = {},
): Promise<ParticipantNode> {
  const { secure, ...options } = extra;
  const who = await enrolIdentity(coord, name);
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, toCsv(shard));
  const node = new ParticipantNode({
    config: {
      name,
      coordinator: coord.address,
      participantId: who.id,
      identityKey: '(in memory)',
      datasets: { [dataset]: { type: 'csv', path, exclude: [], ...(secure ? { secure } : {}) } },
    },
    identity: who.keys,
    security: who.clientSecurity,
    minBackoffMs: 100,
    maxBackoffMs: 400,
    ...options,
  });
  const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
  node.start();
  await ready;
  return node;
}
