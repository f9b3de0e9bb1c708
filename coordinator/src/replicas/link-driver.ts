import type { Logger } from '@tessera/transport';
import type * as grpc from '@grpc/grpc-js';
import { replicaClient, tessera, type ChannelSecurity, type GenericClient } from '@tessera/proto';
import type { SessionRegistry } from '../service/registry.js';
import { sameTask, type TaskKey } from '../service/task-ref.js';
import type { PartialSumLink } from './partial-sums.js';
import { RemoteSession, type RemoteLink } from './remote-session.js';

type LinkCall = grpc.ClientDuplexStream<tessera.v1.ReplicaDown, tessera.v1.ReplicaUp>;

/** What a driver needs of the replica it runs in. */
export interface DriverDeps {
  replicaId: string;
  secret: Uint8Array;
  security: ChannelSecurity;
  registry: SessionRegistry;
  /** An analyst on the holder cancelled a job: cancel it if this replica runs it. */
  onCancel: (jobId: string, reason: string) => void;
  logger: Logger;
}

/**
 * The driver's end of a Link to another replica (the holder): the holder's participants join this replica's registry
 * as RemoteSessions, so that the jobs this replica drives send them tasks as to its own; their answers come back
 * here. The link is dialled again after a break for as long as the holder is alive (the mesh decides).
 */
export class LinkDriver implements RemoteLink, PartialSumLink {
  private client: GenericClient | undefined;
  private call: LinkCall | undefined;
  private readonly sessions = new Map<string, RemoteSession>();
  private readonly partials: { key: TaskKey; onSum: (sum: tessera.v1.IPartialSum) => void }[] = [];
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private holderId = '';
  private backoffMs = 200;
  /** Resolves when the stream can take more (write returned false): deliveries wait on it. */
  private drained: Promise<void> = Promise.resolve();

  constructor(
    readonly replicaId: string,
    private readonly address: string,
    private readonly deps: DriverDeps,
  ) {}

  start(): void {
    if (this.stopped || this.call) return;
    this.client ??= replicaClient(this.address, this.deps.security);
    const call = this.client.link!() as LinkCall;
    this.call = call;
    call.on('data', (m: tessera.v1.ReplicaUp) => this.receive(m));
    call.on('error', () => undefined);
    call.on('close', () => this.broken(call));
    call.on('end', () => this.broken(call));
    this.write({ hello: { replicaId: this.deps.replicaId, secret: this.deps.secret } });
  }

  /** Stops for good (the holder left the federation, or this replica stops). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.dropSessions();
    this.call?.cancel();
    this.call = undefined;
    this.client?.close();
  }

  private broken(call: LinkCall): void {
    if (this.call !== call) return;
    this.call = undefined;
    this.dropSessions();
    for (const p of this.partials.splice(0)) p.onSum({ task: p.key, failedIds: [], failedReasons: [] }); // none in
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.start(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
  }

  private dropSessions(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  private receive(m: tessera.v1.ReplicaUp): void {
    switch (m.body) {
      case 'welcome':
        this.holderId = m.welcome!.replicaId ?? '';
        this.backoffMs = 200;
        this.deps.logger.info({ replicaId: this.holderId }, `linked to replica ${this.holderId} at ${this.address}`);
        return;
      case 'roster':
        this.roster(m.roster!);
        return;
      case 'message': {
        const r = m.message!;
        this.sessions.get(r.participantId ?? '')?.receive(Number(r.seq ?? 0), r.message ?? {});
        return;
      }
      case 'ended':
        this.sessions.get(m.ended!.participantId ?? '')?.ended(m.ended!);
        return;
      case 'partialSum': {
        const sum = m.partialSum!;
        const i = this.partials.findIndex((p) => sameTask(p.key, sum.task));
        if (i < 0) return;
        const [p] = this.partials.splice(i, 1);
        p!.onSum(sum);
        return;
      }
      case 'cancel':
        this.deps.onCancel(m.cancel!.jobId ?? '', m.cancel!.reason ?? 'cancelled');
        return;
      default:
        return;
    }
  }

  private roster(r: tessera.v1.IRosterChange): void {
    if (r.full) for (const [id, s] of [...this.sessions]) this.removeSession(id, s);
    for (const id of r.removed ?? []) {
      const s = this.sessions.get(id);
      if (s) this.removeSession(id, s);
    }
    for (const p of r.added ?? []) {
      const id = p.participantId ?? '';
      const old = this.sessions.get(id);
      if (old) this.removeSession(id, old);
      // A participant this replica holds itself is served here; the holder's view of it is stale.
      const local = this.deps.registry.get(id);
      if (local && !(local instanceof RemoteSession) && local.ready) continue;
      const s = new RemoteSession(this, p);
      this.sessions.set(id, s);
      this.deps.registry.add(s);
    }
  }

  private removeSession(id: string, s: RemoteSession): void {
    this.sessions.delete(id);
    s.close();
  }

  open(participantId: string, task: TaskKey): void {
    this.write({ open: { participantId, task } });
  }

  close(participantId: string, task: TaskKey): void {
    this.write({ close: { participantId, task } });
  }

  async deliver(participantId: string, message: tessera.v1.ICoordinatorMessage): Promise<void> {
    await this.drained;
    if (!this.call) throw new Error(`the link to replica ${this.holderId || this.address} is down`);
    this.write({ deliver: { participantId, message } });
  }

  problem(participantId: string, task: TaskKey, seq: number, reason: string): void {
    this.write({ problem: { participantId, task, seq, reason } });
  }

  openPartialSum(open: tessera.v1.IPartialSumOpen, onSum: (sum: tessera.v1.IPartialSum) => void): () => void {
    const entry = { key: open.task as TaskKey, onSum };
    this.partials.push(entry);
    this.write({ partialSum: open });
    return () => {
      const i = this.partials.indexOf(entry);
      if (i >= 0) this.partials.splice(i, 1);
    };
  }

  /** A job event of a job this replica drives, for the holder's watchers. */
  event(e: tessera.v1.IReplicaJobEvent): void {
    if (this.call) this.write({ event: e });
  }

  private write(m: tessera.v1.IReplicaDown): void {
    const call = this.call;
    if (!call) return;
    try {
      if (!call.write(tessera.v1.ReplicaDown.create(m)))
        this.drained = new Promise<void>((resolve) => {
          // Whichever comes first removes both: each full write would otherwise leave two listeners behind.
          const done = () => {
            call.off('drain', done);
            call.off('close', done);
            resolve();
          };
          call.once('drain', done);
          call.once('close', done);
        });
    } catch {
      this.broken(call);
    }
  }
}
