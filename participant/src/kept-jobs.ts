// What a node keeps of a multi-round job between its rounds (recommend, catalogue): per job, under the data set and
// signed spec it was built for, until the job's last round here, an idle timeout, or newer jobs push it out.
import { createHash } from 'node:crypto';

/** A job's state is kept this long past its last use at least. */
const MIN_IDLE_MS = 10 * 60 * 1000;

/** The key a job's state is kept under: its data set and signed spec (another spec under the same id starts afresh). */
export const keptJobKey = (task: { dataset?: string | null; specJson?: string | null }): string =>
  createHash('sha256')
    .update(`${task.dataset ?? ''}\u0000${task.specJson ?? ''}`)
    .digest('hex');

/** Two rounds' timeouts and the wait for participants, at least MIN_IDLE_MS. */
export const keptIdleMs = (spec: { roundTimeoutSeconds: number; waitForParticipantsSeconds: number }): number =>
  Math.max(MIN_IDLE_MS, (2 * spec.roundTimeoutSeconds + spec.waitForParticipantsSeconds) * 1000);

/** Per-job state of one node, at most `most` jobs at once (the least recently kept goes first). */
export class KeptJobs<T> {
  private readonly jobs = new Map<string, { key: string; value: T; timer: NodeJS.Timeout }>();

  constructor(private readonly most: number) {}

  get(jobId: string, key: string): T | undefined {
    const kept = this.jobs.get(jobId);
    return kept && kept.key === key ? kept.value : undefined;
  }

  /** Keeps (or refreshes) a job's state for `idleMs` more. */
  keep(jobId: string, key: string, value: T, idleMs: number): void {
    this.forget(jobId);
    const timer = setTimeout(() => this.forget(jobId), idleMs);
    timer.unref();
    this.jobs.set(jobId, { key, value, timer });
    for (const old of this.jobs.keys()) {
      if (this.jobs.size <= this.most) break;
      this.forget(old);
    }
  }

  forget(jobId: string): void {
    const kept = this.jobs.get(jobId);
    if (!kept) return;
    clearTimeout(kept.timer);
    this.jobs.delete(jobId);
  }

  /** The jobs held now (tests). */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }
}

/** One `make()` per owner (a node's JobMemory): several nodes per process each keep their own. */
export function perOwner<M>(make: () => M): (owner: object) => M {
  const made = new WeakMap<object, M>();
  return (owner) => {
    let m = made.get(owner);
    if (!m) {
      m = make();
      made.set(owner, m);
    }
    return m;
  };
}
