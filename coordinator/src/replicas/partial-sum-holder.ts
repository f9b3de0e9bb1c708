import { silentLogger, type Logger } from '@tessera/transport';
import type { tessera } from '@tessera/proto';
import type { ParticipantSession } from '../service/participant-session.js';
import { sameTask, stageName, type TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { MaskedInputCollector, RejectionTally } from '../rounds/secure-collectors.js';
import { uploadLink } from '../rounds/upload-link.js';

/**
 * The holder's side of a SecAgg+ masked-input stage another replica drives: this replica takes the masked vectors of
 * the participants whose streams it holds (checked as the driver would: length, words below the modulus, complete),
 * sums them mod the modulus as they arrive, and sends the driver one partial sum with who is in it. It never holds an
 * unmasked input: each vector carries masks shared with participants elsewhere, and its own self-mask.
 */
export class PartialSumHolder {
  private readonly indexOf: Map<string, number>;
  private readonly sum: Uint32Array;
  private readonly included: number[] = [];
  private readonly failed = new Map<string, string>();
  private readonly open = new Map<string, { session: ParticipantSession; task: MaskedInputCollector }>();
  private readonly tally = new RejectionTally();
  private flushed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly key: TaskKey,
    private readonly spec: tessera.v1.IPartialSumOpen,
    private readonly slots: UploadSlots,
    private readonly up: (m: tessera.v1.IReplicaUp) => void,
    private readonly onFlushed: () => void,
    private readonly logger: Logger = silentLogger,
  ) {
    const ids = spec.participantIds ?? [];
    this.indexOf = new Map(ids.map((id, i) => [id, Number(spec.indices?.[i] ?? -1)]));
    this.sum = new Uint32Array(Number(spec.dimension ?? 0));
    // A wait from now, not a time of day: this replica's clock need not agree with the driver's.
    this.timer = setTimeout(() => this.flush(), Math.max(0, Number(spec.flushAfterMs ?? 0)));
  }

  members(participantId: string): boolean {
    return this.indexOf.has(participantId);
  }

  matches(task: tessera.v1.ITaskRef | null | undefined): boolean {
    return sameTask(this.key, task);
  }

  /** The driver opened the stage for this participant: its masked vector is taken here. */
  openFor(session: ParticipantSession): void {
    const id = session.participantId;
    const index = this.indexOf.get(id);
    // Opened once per participant: a repeated open (the driver's RelayOpen sent again) must not count it twice.
    if (index === undefined || this.flushed || this.open.has(id) || this.failed.has(id)) return;
    if (this.included.includes(index)) return;
    const modulus = Number(this.spec.modulus ?? 2 ** 32);
    const sink = {
      receive: (m: { index: number; y: Uint32Array }) => {
        if (m.y.length !== this.sum.length)
          throw new Error(`masked vector of ${m.y.length} words, not ${this.sum.length}`);
        for (let i = 0; i < this.sum.length; i++) {
          const s = this.sum[i]! + m.y[i]!;
          this.sum[i] = modulus === 2 ** 32 ? s >>> 0 : s >= modulus ? s - modulus : s;
        }
      },
    };
    const task = new MaskedInputCollector(
      this.key,
      (o) => {
        const entry = this.open.get(id);
        this.open.delete(id);
        if (entry) entry.session.closeTask(entry.task);
        if (this.flushed) return;
        if (o.ok) this.included.push(index);
        else this.failed.set(id, o.reason);
        if (this.open.size === 0 && this.included.length + this.failed.size === this.indexOf.size) this.flush();
      },
      index,
      sink,
      this.sum.length,
      modulus,
      this.slots,
      uploadLink(session, this.key),
      this.tally,
    );
    this.open.set(id, { session, task });
    session.openTask(task);
  }

  /** The driver closed the task (its stage ended for this participant) before the vector came: it is not in. */
  closeFor(participantId: string, reason = 'the stage ended before its masked vector arrived'): void {
    const entry = this.open.get(participantId);
    if (!entry) return;
    this.open.delete(participantId);
    entry.session.closeTask(entry.task);
    entry.task.onRefused(reason);
    if (!this.flushed) this.failed.set(participantId, reason);
  }

  /** Sends what is in (and who failed, with why); later vectors are not taken. */
  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    clearTimeout(this.timer);
    for (const id of [...this.open.keys()]) this.closeFor(id, 'its masked vector came after the partial sum was sent');
    for (const id of this.indexOf.keys())
      if (!this.failed.has(id) && !this.included.includes(this.indexOf.get(id)!))
        this.failed.set(id, 'the driver did not open the stage for it here');
    this.logger.info(
      {
        jobId: this.key.jobId,
        round: this.key.round,
        stage: stageName(this.key.stage),
        contributors: this.included.length,
        dropped: this.failed.size,
      },
      `partial sum of ${this.included.length} masked input(s) for job ${this.key.jobId} round ${this.key.round} ` +
        `sent to the driving replica${this.failed.size ? ` (${this.failed.size} not in it)` : ''}`,
    );
    this.up({
      partialSum: {
        task: this.key,
        indices: this.included.length ? [...this.included] : [],
        words: this.included.length ? Array.from(this.sum) : [],
        failedIds: [...this.failed.keys()],
        failedReasons: [...this.failed.values()],
      },
    });
    this.onFlushed();
  }

  /** The link went down: nothing is sent. */
  abandon(): void {
    this.flushed = true;
    clearTimeout(this.timer);
    for (const id of [...this.open.keys()]) this.closeFor(id, 'the driving replica went away');
  }
}
