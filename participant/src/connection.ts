// One stream to the coordinator and all state that lives only as long as it; a new Connection per stream.
import type * as grpc from '@grpc/grpc-js';
import { sealParticipantMessage, tessera } from '@tessera/proto';
import type { PsiSession } from './psi-session.js';
import type { VerticalRun } from './vertical/vertical-run.js';
import type { SecureContribution } from './secure-contribution.js';
import { Uploader, type Body } from './uploader.js';

const pb = tessera.v1;

export type Stream = grpc.ClientDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>;

/** A job's agreed features and standardisation, as the coordinator sent them on this stream. */
interface JobSetup {
  features: tessera.v1.IColumnProfile[];
  mean: number[];
  std: number[];
}

/**
 * One stream to the coordinator: the session its challenge set, the sequence numbers of what this
 * node signs on it, and the protocol state that is only meaningful on it (the task being run, the
 * upload waiting for its grant, the jobs' setups, the secure contribution and the set-intersection
 * run in progress). On disconnect the node drops the whole Connection and starts a new one, so
 * nothing of a dead stream carries over into the next.
 */
/** `A` is the data task in progress (tasks/ ActiveTask); only its cancellation is the connection's business. */
export class Connection<A extends { cancelled: boolean } = { cancelled: boolean }> {
  /** The challenge nonce every signed message on this stream carries. */
  session: Uint8Array = new Uint8Array(0);
  private seq = 0;
  /** Set once the stream ended or was dropped: nothing more is sent or run on it. */
  closed = false;
  /** The data task in progress (waiting for its model, or computing). */
  active: A | undefined;
  /**
   * A task still loading its library (a sealed round's SEAL) before it becomes `active`: the model chunks that
   * arrive meanwhile are kept here (at most the task's model length) and handed to it once it is active.
   */
  preparing: { ref: tessera.v1.ITaskRef; length: number; chunks: tessera.v1.IModelChunk[] } | undefined;
  /** This node's side of the SecAgg+ round in progress. */
  secure: SecureContribution | undefined;
  /** The audience-overlap run in progress (its peer's sets arrive relayed by the coordinator). */
  psi: PsiSession | undefined;
  /** The vertical-learning run in progress (its peer's sealed messages arrive relayed by the coordinator). */
  vertical: VerticalRun | undefined;
  readonly uploads = new Uploader();
  private readonly jobSetups = new Map<string, JobSetup>();
  /** Told the encoded size of every message sent on this stream (the node's byte metrics). */
  onSent: ((bytes: number) => void) | undefined;

  constructor(
    readonly stream: Stream,
    private readonly participantId: string,
    private readonly secretKey: Uint8Array,
  ) {}

  /** Signs the message with the next sequence number and writes it, waiting while the stream is full. */
  async send(body: Body): Promise<void> {
    if (this.closed) throw new Error('not connected');
    const stream = this.stream;
    this.seq += 1;
    const signed = sealParticipantMessage(
      this.participantId,
      { ...body, session: this.session, seq: this.seq },
      this.secretKey,
    );
    this.onSent?.(pb.SignedMessage.encode(signed).finish().length);
    if (!stream.write(signed))
      await new Promise<void>((resolve) => {
        stream.once('drain', resolve);
        stream.once('close', resolve);
      });
  }

  /**
   * The coordinator sends a job's agreed features and standardisation once per stream; later
   * fit and evaluate tasks of that job omit them and use what this connection kept.
   */
  withJobSetup(task: tessera.v1.ITask): tessera.v1.ITask {
    const jobId = task.ref?.jobId ?? '';
    const stage = task.secure ? task.secure.computation : task.ref?.stage;
    if (stage !== pb.Stage.FIT && stage !== pb.Stage.EVALUATE) return task;
    if ((task.features ?? []).length > 0) {
      this.jobSetups.set(jobId, { features: task.features!, mean: task.mean ?? [], std: task.std ?? [] });
      return task;
    }
    const kept = this.jobSetups.get(jobId);
    return kept ? { ...task, ...kept } : task;
  }

  /** Drops everything this stream carried: the task in progress is cancelled, nothing more is sent. */
  close(): void {
    this.closed = true;
    if (this.active) this.active.cancelled = true;
    this.active = undefined;
    this.preparing = undefined;
    this.secure = undefined;
    this.psi = undefined;
    this.vertical?.stop('the connection to the coordinator was lost');
    this.vertical = undefined;
    this.uploads.clear();
    this.jobSetups.clear();
  }
}
