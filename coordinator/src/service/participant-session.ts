import type { Logger } from '@tessera/transport';
import type * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@tessera/crypto';
import { openParticipantMessage, tessera } from '@tessera/proto';
import type { CertifiedIdentity } from '@tessera/transport';
import { participantRefusal } from '../enrolment/enrolment-rules.js';
import { acceptLedgerCosignature } from '../payouts/ledger-cosignatures.js';
import { helloMismatch } from './participant-certificate-check.js';
import type { Store } from '../store/store.js';
import type { OpenTask } from './open-task.js';
import { taskMessageOf } from './task-dispatch.js';
import { describeTask, sameTask, stageName } from './task-ref.js';
import type { CoordinatorMetrics } from '../metrics/coordinator-metrics.js';
import type { RejectReason } from '../metrics/metric-labels.js';

type Stream = grpc.ServerDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>;

export type { OpenTask } from './open-task.js';

/**
 * A connected participant as the job stages see it: its stream on this replica (StreamSession), or on another
 * replica of the federation, which relays its tasks (replicas/remote-session.ts).
 */
export interface ParticipantSession {
  readonly participantId: string;
  readonly name: string;
  readonly datasets: string[];
  /** The software the participant said it runs in its hello (e.g. tessera-participant/0.1.0); '' when unknown. */
  readonly software: string;
  /** When it connected (Date.now()). */
  readonly connectedAt: number;
  /** Privacy budgets the participant reported in its hello (with what it has spent). */
  readonly budgets: tessera.v1.IDatasetBudget[];
  /** The roster authority's signature over its id and identity key, from its hello (empty: none); relayed as is. */
  readonly rosterSignature: Uint8Array;
  /** Jobs whose agreed features and standardisation this participant has received. */
  readonly jobSetupSent: Set<string>;
  /** When its hello began reading the participant's record (its status) from the store. */
  readonly statusReadAt: number;
  readonly ready: boolean;
  /** True while a task of some job is open for it (a new one would replace it). */
  readonly busy: boolean;
  /** Writes with backpressure: resolves when the stream can take more. */
  send(message: tessera.v1.ICoordinatorMessage): Promise<void>;
  openTask(task: OpenTask): void;
  closeTask(task: OpenTask): void;
  onClose(listener: () => void): void;
  /** Ends it because the operator revoked or disabled the participant; an open task sees a disconnect. */
  cutOff(reason: string): void;
  close(): void;
}

type SessionState = 'awaiting-hello' | 'ready' | 'closed';

/** A stream that has not answered the challenge by then is closed. */
export const HELLO_TIMEOUT_MS = 10_000;

/**
 * One participant's Connect stream. States: awaiting-hello (only a signed Hello bound to our
 * challenge is accepted) -> ready (messages must be signed, bound to this stream, in sequence,
 * and belong to the task open for this participant) -> closed.
 */
export class StreamSession implements ParticipantSession {
  private state: SessionState = 'awaiting-hello';
  private readonly challenge = new Uint8Array(randomBytes(32));
  private lastSeq = -1;
  private task: OpenTask | undefined;
  private readonly closeListeners: (() => void)[] = [];
  participantId = '';
  name = '';
  datasets: string[] = [];
  software = '';
  readonly connectedAt = Date.now();
  /** Privacy budgets the participant reported in its hello (with what it has spent). */
  budgets: tessera.v1.IDatasetBudget[] = [];
  /** The roster authority's signature over its id and identity key, from its hello (empty: none); relayed as is. */
  rosterSignature: Uint8Array = new Uint8Array(0);
  /** Jobs whose agreed features and standardisation this stream has received. */
  readonly jobSetupSent = new Set<string>();
  private publicKey: Uint8Array | undefined;
  /** When the hello began reading this participant's record (its status) from the store; 0 before the hello. */
  statusReadAt = 0;

  constructor(
    private readonly call: Stream,
    private readonly store: Store,
    private readonly onReady: (s: ParticipantSession) => void,
    private readonly logger: Logger,
    private readonly observe?: (participantId: string, message: tessera.v1.ParticipantMessage) => void,
    /** The identity the stream's TLS client certificate proves (mutual TLS); its hello must be signed as it. */
    private readonly certified?: CertifiedIdentity,
    /** Counts rejected messages by reason and participants' refusals by kind. */
    private readonly metrics?: Pick<CoordinatorMetrics, 'rejected' | 'participantRefusal'>,
  ) {}

  get ready(): boolean {
    return this.state === 'ready';
  }

  async run(): Promise<void> {
    this.call.on('error', () => this.close());
    this.call.on('cancelled', () => this.close());
    const helloTimer = setTimeout(() => {
      if (this.state === 'awaiting-hello')
        void this.reject(0, `no hello within ${HELLO_TIMEOUT_MS / 1000} s of the challenge`, true, 'hello_timeout');
    }, HELLO_TIMEOUT_MS);
    this.onClose(() => clearTimeout(helloTimer));
    try {
      await this.send({ challenge: { nonce: this.challenge } });
      for await (const signed of this.call as AsyncIterable<tessera.v1.SignedMessage>) {
        if (this.state === 'closed') break;
        await this.receive(signed);
      }
    } catch {
      // the stream broke (participant gone, network): handled as a disconnect below
    } finally {
      this.close();
    }
  }

  private async receive(signed: tessera.v1.SignedMessage): Promise<void> {
    if (this.state === 'awaiting-hello') return this.receiveHello(signed);
    if (signed.participantId !== this.participantId)
      return this.reject(
        0,
        `message names participant ${signed.participantId} on ${this.participantId}'s stream`,
        true,
        'wrong_participant',
      );
    const opened = openParticipantMessage(signed, this.publicKey!);
    if (!opened.ok) return this.reject(0, opened.reason, false, unopenedReason(opened.reason));
    const m = opened.message;
    if (!constantTimeEqual(m.session, this.challenge))
      return this.reject(m.seq, 'message is bound to another stream (replayed?)', false, 'replayed');
    if (m.seq <= this.lastSeq)
      return this.reject(m.seq, `sequence number ${m.seq} is not above ${this.lastSeq} (replayed?)`, false, 'replayed');
    this.lastSeq = m.seq;
    this.observe?.(this.participantId, m);
    const routed = taskMessageOf(m);
    if (routed) return this.route(m.seq, routed.ref, routed.handle, m);
    switch (m.body) {
      case 'ledgerCosignature': {
        const problem = await acceptLedgerCosignature(
          this.store,
          this.participantId,
          this.publicKey!,
          m.ledgerCosignature!,
        );
        if (problem) return this.reject(m.seq, problem, false, 'bad_cosignature');
        this.logger.info(
          { participantId: this.participantId, ledgerSeq: m.ledgerCosignature!.seq },
          `participant ${this.participantId} cosigned payout ledger head ${m.ledgerCosignature!.seq}`,
        );
        return;
      }
      case 'refused': {
        const t = this.task;
        if (t && sameTask(t.key, m.refused!.task)) {
          this.task = undefined;
          this.metrics?.participantRefusal(m.refused!.kind);
          t.onRefused(m.refused!.reason || 'refused without a reason', m.refused!.kind);
        }
        return;
      }
      case 'hello':
        return this.reject(m.seq, 'hello was already received on this stream', false, 'unexpected');
      default:
        return this.reject(m.seq, 'message has no body', false, 'malformed');
    }
  }

  private async route(
    seq: number,
    ref: tessera.v1.ITaskRef | null | undefined,
    handle: (t: OpenTask) => string | undefined | Promise<string | undefined>,
    message: tessera.v1.ParticipantMessage,
  ): Promise<void> {
    const t = this.task;
    if (t?.relay && sameTask(t.key, ref)) return t.relay(seq, message);
    if (!t || !sameTask(t.key, ref)) {
      return this.reject(
        seq,
        `no open task for ${describeTask(ref)}${t ? ` (open: ${describeTask(t.key)})` : ''}`,
        false,
        'unexpected',
      );
    }
    const problem = await handle(t);
    if (problem) {
      if (this.task === t) this.task = undefined;
      t.onRefused(problem);
      await this.reject(seq, problem, false, 'bad_answer');
    }
  }

  private async receiveHello(signed: tessera.v1.SignedMessage): Promise<void> {
    const statusReadAt = Date.now();
    const record = await this.store.getParticipant(signed.participantId);
    if (this.state === 'closed') return; // cut by the hello timeout or a disconnect while the store answered
    if (!record)
      return this.reject(
        0,
        `unknown participant "${signed.participantId}": enrol first (tessera participant init --token ...)`,
        true,
        'not_enrolled',
      );
    const opened = openParticipantMessage(signed, record.publicKey);
    if (!opened.ok) return this.reject(0, opened.reason, true, unopenedReason(opened.reason));
    const m = opened.message;
    if (m.body !== 'hello')
      return this.reject(m.seq, 'the first message on a stream must be a hello', true, 'unexpected');
    if (!constantTimeEqual(m.session, this.challenge))
      return this.reject(m.seq, "hello does not answer this stream's challenge (replayed?)", true, 'replayed');
    // The operator may have revoked or disabled it since it enrolled (from another process: read the store now).
    const refusal = participantRefusal(record);
    if (refusal) return this.reject(m.seq, refusal, true, 'revoked');
    const mismatch = this.certified && helloMismatch(this.certified, record);
    if (mismatch) return this.reject(m.seq, mismatch, true, 'bad_certificate');
    this.lastSeq = m.seq;
    this.statusReadAt = statusReadAt;
    this.participantId = record.id;
    this.name = record.name;
    this.publicKey = record.publicKey;
    this.datasets = m.hello!.datasets ?? [];
    this.software = (m.hello!.software ?? '').slice(0, 64);
    this.budgets = m.hello!.budgets ?? [];
    this.rosterSignature = m.hello!.rosterSignature ?? new Uint8Array(0);
    this.state = 'ready';
    await this.send({ welcome: { participantId: record.id, name: record.name } });
    this.onReady(this);
    try {
      await this.store.markParticipantsSeen([record.id], Date.now());
    } catch (e) {
      // "Last seen" is for the operator's listing; the session goes on, and the next access check writes it again.
      this.logger.warn(
        { participantId: record.id, reason: (e as Error).message },
        `could not note participant ${record.id} as seen: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Ends the stream because the operator revoked or disabled this participant: tells it why (a fatal rejection), then
   * closes at once, without waiting for the stream to drain; an open task sees a disconnect.
   */
  cutOff(reason: string): void {
    if (this.state === 'closed') return;
    this.logger.warn(
      { participantId: this.participantId, reason },
      `cut off participant ${this.participantId} (${this.name}): ${reason}`,
    );
    try {
      this.call.write(tessera.v1.CoordinatorMessage.create({ rejection: { seq: 0, reason, fatal: true } }));
    } catch {
      /* already gone */
    }
    this.close();
  }

  private async reject(seq: number, reason: string, fatal: boolean, label: RejectReason): Promise<void> {
    this.metrics?.rejected(label);
    this.logger.warn(
      { participantId: this.participantId || undefined, reason: label, seq },
      `rejected a message from ${this.participantId || 'an unidentified participant'}: ${reason}`,
    );
    await this.send({ rejection: { seq, reason, fatal } }).catch(() => undefined);
    if (fatal) this.close();
  }

  /** Writes with backpressure: resolves when the stream can take more. */
  async send(message: tessera.v1.ICoordinatorMessage): Promise<void> {
    if (this.state === 'closed') throw new Error(`participant ${this.participantId} is disconnected`);
    if (!this.call.write(tessera.v1.CoordinatorMessage.create(message))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.call.off('drain', done);
          this.off(done);
          resolve();
        };
        this.call.on('drain', done);
        this.onClose(done);
      });
    }
  }

  /** True while a task of some job is open on this stream (a new one would replace it). */
  get busy(): boolean {
    return this.task !== undefined;
  }

  openTask(task: OpenTask): void {
    this.task = task;
    const { jobId, round, stage, attempt } = task.key;
    this.logger.debug(
      { jobId, round, stage: stageName(stage), attempt, participantId: this.participantId },
      `participant ${this.participantId}: opened ${describeTask(task.key)}`,
    );
  }

  closeTask(task: OpenTask): void {
    if (this.task === task) this.task = undefined;
  }

  onClose(listener: () => void): void {
    if (this.state === 'closed') listener();
    else this.closeListeners.push(listener);
  }

  private off(listener: () => void): void {
    const i = this.closeListeners.indexOf(listener);
    if (i >= 0) this.closeListeners.splice(i, 1);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const t = this.task;
    this.task = undefined;
    t?.onDisconnect();
    for (const l of this.closeListeners.splice(0)) l();
    try {
      this.call.end();
    } catch {
      /* already gone */
    }
  }
}

/** Why a message did not open: unsigned or badly signed, or signed but no ParticipantMessage (proto envelope.ts). */
const unopenedReason = (problem: string): RejectReason =>
  problem.startsWith('undecodable') ? 'malformed' : 'bad_signature';
