import type { tessera } from '@tessera/proto';
import type { OpenTask, ParticipantSession } from '../service/participant-session.js';
import { taskMessageOf } from '../service/task-dispatch.js';
import { describeTask, sameTask, type TaskKey } from '../service/task-ref.js';
import { keyOf } from './task-key.js';

/** What a remote session needs of the link to the replica that holds its participant's stream. */
export interface RemoteLink {
  readonly replicaId: string;
  open(participantId: string, task: TaskKey): void;
  close(participantId: string, task: TaskKey): void;
  deliver(participantId: string, message: tessera.v1.ICoordinatorMessage): Promise<void>;
  problem(participantId: string, task: TaskKey, seq: number, reason: string): void;
}

/**
 * A participant whose stream another replica holds, as the replica driving a job sees it: the job's stages open
 * tasks and send messages as they would on a local stream, and the holder relays them. The participant's answers
 * arrive already checked (signature, stream binding, sequence) and are routed here to the open task, in order.
 */
export class RemoteSession implements ParticipantSession {
  readonly participantId: string;
  readonly name: string;
  readonly datasets: string[];
  /** Not relayed between replicas. */
  readonly software = '';
  readonly connectedAt = Date.now();
  readonly budgets: tessera.v1.IDatasetBudget[];
  readonly rosterSignature: Uint8Array;
  readonly jobSetupSent = new Set<string>();
  /** The holder checked the participant's status at its hello, and cuts it off itself when the operator says so. */
  readonly statusReadAt = Number.POSITIVE_INFINITY;
  private task: OpenTask | undefined;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];
  /** Answers are handled one at a time, in the order the holder relayed them (uploads wait for slots). */
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    readonly link: RemoteLink,
    p: tessera.v1.IRemoteParticipant,
  ) {
    this.participantId = p.participantId ?? '';
    this.name = p.name ?? '';
    this.datasets = [...(p.datasets ?? [])];
    this.budgets = [...(p.budgets ?? [])];
    this.rosterSignature = p.rosterSignature ?? new Uint8Array(0);
  }

  get ready(): boolean {
    return !this.closed;
  }

  get busy(): boolean {
    return this.task !== undefined;
  }

  async send(message: tessera.v1.ICoordinatorMessage): Promise<void> {
    if (this.closed) throw new Error(`participant ${this.participantId} is disconnected`);
    await this.link.deliver(this.participantId, message);
  }

  openTask(task: OpenTask): void {
    if (this.closed) {
      task.onDisconnect();
      return;
    }
    this.task = task;
    this.link.open(this.participantId, task.key);
  }

  closeTask(task: OpenTask): void {
    if (this.task !== task) return;
    this.task = undefined;
    if (!this.closed) this.link.close(this.participantId, task.key);
  }

  /** A relayed answer: routed to the open task; a problem goes back to the holder, which rejects it. */
  receive(seq: number, m: tessera.v1.IParticipantMessage): void {
    this.inbox = this.inbox.then(() => this.route(seq, m)).catch(() => undefined);
  }

  private async route(seq: number, m: tessera.v1.IParticipantMessage): Promise<void> {
    const t = this.task;
    const routed = taskMessageOf(m);
    if (!routed) return;
    if (!t || !sameTask(t.key, routed.ref)) {
      // The message's own task, not the open one: the holder rejects the message and leaves the open task be.
      this.link.problem(
        this.participantId,
        keyOf(routed.ref),
        seq,
        `no open task for ${describeTask(routed.ref)}${t ? ` (open: ${describeTask(t.key)})` : ''}`,
      );
      return;
    }
    const problem = await routed.handle(t);
    if (problem) {
      if (this.task === t) this.task = undefined;
      t.onRefused(problem);
      this.link.problem(this.participantId, t.key, seq, problem);
    }
  }

  /**
   * The holder says the task ended on its side: the participant refused it, or the stream it was open on closed.
   * Either ends that task only: whether the participant is gone is the holder's roster's to say (it may have
   * reconnected to the holder at once, as a new session the roster announces anew).
   */
  ended(e: tessera.v1.IRelayEnded): void {
    const t = this.task;
    if (!t || !sameTask(t.key, e.task)) return;
    this.inbox = this.inbox
      .then(() => {
        if (this.task !== t) return;
        this.task = undefined;
        if (e.disconnected) t.onDisconnect();
        else t.onRefused(e.reason || 'refused without a reason', e.kind);
      })
      .catch(() => undefined);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** The driver's gate refused it: the holder cuts the stream itself; here it is gone. */
  cutOff(_reason: string): void {
    this.close();
  }

  /** The participant left the holder's roster, or the link to the holder broke: an open task sees a disconnect. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // After the answers already relayed (they were sent before the stream closed): they still reach the open task,
    // which is cleared only then.
    this.inbox = this.inbox
      .then(() => {
        const t = this.task;
        this.task = undefined;
        t?.onDisconnect();
      })
      .catch(() => undefined);
    for (const l of this.closeListeners.splice(0)) l();
  }
}
