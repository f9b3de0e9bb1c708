import type { Logger } from '@tessera/transport';
import * as grpc from '@grpc/grpc-js';
import { constantTimeEqual } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import type { ParticipantSession } from '../service/participant-session.js';
import type { SessionRegistry } from '../service/registry.js';
import { sameTask, type TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { PartialSumHolder } from './partial-sum-holder.js';
import { RelayTask } from './relay-task.js';
import { RemoteSession } from './remote-session.js';
import { keyOf } from './task-key.js';

type LinkStream = grpc.ServerDuplexStream<tessera.v1.ReplicaDown, tessera.v1.ReplicaUp>;

/** What a holder needs of the replica it runs in. */
export interface HolderDeps {
  replicaId: string;
  /** The federation's replica secret, read from the shared database (replica-service.ts reads it once). */
  secret: () => Promise<Uint8Array>;
  registry: SessionRegistry;
  slots: UploadSlots;
  /** A job event of a job the driver runs, for this replica's watchers. */
  onEvent: (e: tessera.v1.IReplicaJobEvent) => void;
  /** Registers this link as a way to tell drivers that an analyst here cancelled a job; returns the unregister. */
  onCancelRoute: (send: (jobId: string, reason: string) => void) => () => void;
  logger: Logger;
}

/** The participants whose streams this replica holds (not the remote ones its own links show it). */
export const localSessions = (registry: SessionRegistry): ParticipantSession[] =>
  registry.connected().filter((s) => !(s instanceof RemoteSession));

/** A link whose first message is not a hello by then is ended: ReplicaService shares the participants' port. */
export const REPLICA_HELLO_TIMEOUT_MS = 10_000;

const rosterEntry = (s: ParticipantSession): tessera.v1.IRemoteParticipant => ({
  participantId: s.participantId,
  name: s.name,
  datasets: s.datasets,
  rosterSignature: s.rosterSignature,
  budgets: s.budgets,
  busy: s.busy,
});

/**
 * The holder's end of a Link another replica (the driver) opened: after the driver proves it is a replica of this
 * federation (the secret in the shared database), it is told this replica's participants and kept up to date; it
 * opens tasks on their streams, sends them messages, and receives their answers; masked-input stages it asks for are
 * summed here (partial-sum-holder.ts).
 */
export class LinkHolder {
  private driverId = '';
  private welcomed = false;
  private readonly relayed = new Map<string, RelayTask>();
  private readonly partials: PartialSumHolder[] = [];
  /** The session announced to the driver for each participant: a reconnect (a new session) is announced anew. */
  private known = new Map<string, ParticipantSession>();
  private readonly cleanups: (() => void)[] = [];
  /** Deliveries to one participant in order; a slow one does not hold up the others. */
  private readonly deliveries = new Map<string, Promise<void>>();

  constructor(
    private readonly call: LinkStream,
    private readonly deps: HolderDeps,
    /** Logs why a link was refused (at most one line per while: anyone may dial the public port). */
    private readonly refused: (why: string) => void = (why) =>
      deps.logger.warn({ reason: why }, `refused a replica link: ${why}`),
    private readonly helloTimeoutMs = REPLICA_HELLO_TIMEOUT_MS,
  ) {}

  async run(): Promise<void> {
    this.call.on('error', () => this.end());
    this.call.on('cancelled', () => this.end());
    const helloTimer = setTimeout(() => {
      if (this.welcomed) return;
      this.refused(`no hello within ${this.helloTimeoutMs / 1000} s`);
      this.call.emit('error', {
        code: grpc.status.DEADLINE_EXCEEDED,
        details: `a replica link starts with a hello within ${this.helloTimeoutMs / 1000} s`,
      });
    }, this.helloTimeoutMs);
    try {
      for await (const m of this.call as AsyncIterable<tessera.v1.ReplicaDown>) {
        if (!this.welcomed) {
          if (!(await this.hello(m))) return;
          continue;
        }
        this.receive(m);
      }
    } catch {
      // the driver went away: handled below
    } finally {
      clearTimeout(helloTimer);
      this.end();
    }
  }

  private async hello(m: tessera.v1.ReplicaDown): Promise<boolean> {
    const secret = await this.deps.secret();
    const offered = m.hello?.secret ?? new Uint8Array(0);
    if (!m.hello || offered.length !== secret.length || !constantTimeEqual(offered, secret)) {
      this.refused("the first message is not a hello with this federation's secret");
      this.call.end();
      return false;
    }
    this.driverId = m.hello.replicaId ?? '';
    this.welcomed = true;
    this.send({ welcome: { replicaId: this.deps.replicaId } });
    const onChange = () => this.sendRoster(false);
    this.deps.registry.on('change', onChange);
    this.cleanups.push(() => this.deps.registry.off('change', onChange));
    this.cleanups.push(this.deps.onCancelRoute((jobId, reason) => this.send({ cancel: { jobId, reason } })));
    this.sendRoster(true);
    this.deps.logger.info(
      { replicaId: this.driverId },
      `replica ${this.driverId} linked to drive jobs with this replica's participants`,
    );
    return true;
  }

  private sendRoster(full: boolean): void {
    const now = localSessions(this.deps.registry);
    const current = new Map(now.map((s) => [s.participantId, s]));
    // A participant that reconnected has a new session: removed and added again, so the driver starts afresh.
    const added = full ? now : now.filter((s) => this.known.get(s.participantId) !== s);
    const removed = full ? [] : [...this.known].filter(([id, s]) => current.get(id) !== s).map(([id]) => id);
    this.known = current;
    if (full || added.length || removed.length) this.send({ roster: { full, added: added.map(rosterEntry), removed } });
  }

  private receive(m: tessera.v1.ReplicaDown): void {
    switch (m.body) {
      case 'open':
        this.openTask(m.open!.participantId ?? '', keyOf(m.open!.task));
        return;
      case 'close':
        this.closeTask(m.close!.participantId ?? '', m.close!.task);
        return;
      case 'deliver':
        this.deliver(m.deliver!.participantId ?? '', m.deliver!.message ?? {});
        return;
      case 'problem': {
        const p = m.problem!;
        const id = p.participantId ?? '';
        const session = this.deps.registry.get(id);
        // Closes the task only when it is the one open (a stale task's message is rejected, the open one goes on).
        this.closeTask(id, p.task);
        if (session && !(session instanceof RemoteSession))
          void session
            .send({ rejection: { seq: Number(p.seq ?? 0), reason: p.reason ?? '', fatal: false } })
            .catch(() => undefined);
        return;
      }
      case 'partialSum': {
        const open = m.partialSum!;
        const partial: PartialSumHolder = new PartialSumHolder(
          keyOf(open.task),
          open,
          this.deps.slots,
          (up) => this.send(up),
          () => this.partials.splice(this.partials.indexOf(partial), 1),
          this.deps.logger,
        );
        this.partials.push(partial);
        return;
      }
      case 'event':
        this.deps.onEvent(m.event!);
        return;
      default:
        return;
    }
  }

  private openTask(participantId: string, key: TaskKey): void {
    const session = this.deps.registry.get(participantId);
    if (!session || session instanceof RemoteSession || !session.ready) {
      this.send({ ended: { participantId, task: key, disconnected: true } });
      return;
    }
    const partial = this.partials.find((p) => p.matches(key) && p.members(participantId));
    if (partial) {
      partial.openFor(session);
      return;
    }
    const task: RelayTask = new RelayTask(
      key,
      participantId,
      (up) => this.send(up),
      () => {
        if (this.relayed.get(participantId) === task) this.relayed.delete(participantId);
      },
    );
    this.relayed.set(participantId, task);
    session.openTask(task);
  }

  private closeTask(participantId: string, ref: tessera.v1.ITaskRef | null | undefined): void {
    const partial = this.partials.find((p) => p.matches(ref) && p.members(participantId));
    if (partial) {
      partial.closeFor(participantId);
      return;
    }
    const task = this.relayed.get(participantId);
    if (!task || !sameTask(task.key, ref)) return;
    this.relayed.delete(participantId);
    this.deps.registry.get(participantId)?.closeTask(task);
  }

  private deliver(participantId: string, message: tessera.v1.ICoordinatorMessage): void {
    const session = this.deps.registry.get(participantId);
    if (!session || session instanceof RemoteSession) return;
    const previous = this.deliveries.get(participantId) ?? Promise.resolve();
    const next = previous
      .then(() => session.send(message))
      .catch(() => undefined)
      .finally(() => {
        if (this.deliveries.get(participantId) === next) this.deliveries.delete(participantId);
      });
    this.deliveries.set(participantId, next);
  }

  private send(m: tessera.v1.IReplicaUp): void {
    try {
      this.call.write(tessera.v1.ReplicaUp.create(m));
    } catch {
      this.end();
    }
  }

  /** The link ended: tasks it opened here are closed (their participants are free for other work). */
  private end(): void {
    if (!this.welcomed) return;
    this.welcomed = false;
    for (const c of this.cleanups.splice(0)) c();
    for (const p of this.partials.splice(0)) p.abandon();
    for (const [id, task] of this.relayed) this.deps.registry.get(id)?.closeTask(task);
    this.relayed.clear();
    this.deps.logger.info({ replicaId: this.driverId }, `replica ${this.driverId} unlinked`);
    try {
      this.call.end();
    } catch {
      /* already gone */
    }
  }
}
