import { EventEmitter } from 'node:events';
import type { tessera } from '@tessera/proto';

/** Job progress notifications for watchers; the durable truth stays in the store. */
export class JobEvents extends EventEmitter {
  /** Per job, a state that holds until cleared (waiting for participants): a watcher that joins later is told it. */
  private readonly standing = new Map<string, string>();
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  /** Events of the jobs this replica runs go to the other replicas too, for their watchers (replica-mesh.ts). */
  forward: ((e: tessera.v1.IReplicaJobEvent) => void) | undefined;

  publish(jobId: string, message: string): void {
    this.emitLine(jobId, message);
    this.forward?.({ jobId, message, kind: 0 });
  }

  private emitLine(jobId: string, message: string): void {
    this.emit(jobId, message);
    this.emit('*', jobId, message);
  }

  /** Publishes a state that holds until clearStanding (or the next standing one); later watchers are told it first. */
  publishStanding(jobId: string, message: string): void {
    this.standing.set(jobId, message);
    this.emitLine(jobId, message);
    this.forward?.({ jobId, message, kind: 1 });
  }
  clearStanding(jobId: string): void {
    this.standing.delete(jobId);
    this.forward?.({ jobId, message: '', kind: 2 });
  }

  /** An event of a job another replica runs: told to the watchers here, not passed on. */
  applyRemote(e: tessera.v1.IReplicaJobEvent): void {
    const jobId = e.jobId ?? '';
    if (e.kind === 2) this.standing.delete(jobId);
    else {
      if (e.kind === 1) this.standing.set(jobId, e.message ?? '');
      this.emitLine(jobId, e.message ?? '');
    }
  }
  standingOf(jobId: string): string | undefined {
    return this.standing.get(jobId);
  }
}
