import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { openParticipantMessage, ParticipantServiceDefinition, SERVER_OPTIONS, tessera } from '@tessera/proto';

type Stream = grpc.ServerDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>;

/**
 * A coordinator that plays the adversary: a real gRPC server on loopback that speaks the
 * participant protocol (challenge, welcome) and then sends whatever tasks a test forges, and
 * hands back every message the node answers, after checking its signature. It listens in plaintext (nodes dial it with
 * insecure: true): it stands for a coordinator the node trusts, TLS included, that misbehaves in what it sends.
 */
export class RogueCoordinator {
  private readonly server = new grpc.Server(SERVER_OPTIONS);
  private stream: Stream | undefined;
  private readonly inbox: tessera.v1.ParticipantMessage[] = [];
  private waiters: (() => void)[] = [];
  address = '';
  /** Every hello the node sent (one per connection), as it sent it. */
  readonly hellos: tessera.v1.IHello[] = [];

  constructor(private readonly participantKey: Uint8Array) {}

  async start(): Promise<void> {
    this.server.addService(ParticipantServiceDefinition as unknown as grpc.ServiceDefinition, {
      enroll: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb({ code: grpc.status.UNIMPLEMENTED, details: 'rogue' } as grpc.ServiceError),
      connect: (stream: Stream) => {
        this.stream = stream;
        stream.on('data', (signed: tessera.v1.SignedMessage) => {
          const opened = openParticipantMessage(signed, this.participantKey);
          if (!opened.ok) throw new Error(`participant message does not verify: ${opened.reason}`);
          const m = opened.message;
          if (m.body === 'hello') {
            this.hellos.push(m.hello!);
            stream.write(tessera.v1.CoordinatorMessage.create({ welcome: {} }));
            return;
          }
          this.inbox.push(m);
          for (const w of this.waiters.splice(0)) w();
        });
        stream.on('error', () => undefined);
        stream.write(tessera.v1.CoordinatorMessage.create({ challenge: { nonce: randomBytes(32) } }));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    this.address = `127.0.0.1:${port}`;
  }

  send(m: tessera.v1.ICoordinatorMessage): void {
    if (!this.stream) throw new Error('no participant connected');
    this.stream.write(tessera.v1.CoordinatorMessage.create(m));
  }

  /** The next message (after `from` already seen) matching `pick`, waiting up to `ms`. */
  async next(pick: (m: tessera.v1.ParticipantMessage) => boolean, ms = 10_000): Promise<tessera.v1.ParticipantMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex(pick);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching participant message within ${ms} ms ` +
            `(inbox: ${this.inbox.map((m) => m.body).join(', ') || 'empty'})`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The node's answer to a task step: its refusal reason, or the kind of message it sent instead. */
  async answerTo(ref: tessera.v1.ITaskRef): Promise<{ refused?: string; kind?: tessera.v1.RefusalKind; body: string }> {
    const same = (r: tessera.v1.ITaskRef | null | undefined) =>
      !!r &&
      r.jobId === ref.jobId &&
      Number(r.round ?? 0) === Number(ref.round ?? 0) &&
      Number(r.stage ?? 0) === Number(ref.stage ?? 0);
    const m = await this.next((x) => {
      const body = x.body as string;
      const task = (x as unknown as Record<string, { task?: tessera.v1.ITaskRef } | undefined>)[body]?.task;
      return same(task);
    });
    return m.body === 'refused'
      ? { refused: m.refused!.reason ?? '', kind: m.refused!.kind ?? 0, body: 'refused' }
      : { body: m.body as string };
  }

  async stop(): Promise<void> {
    this.stream?.end();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
