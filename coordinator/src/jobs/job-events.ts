import { EventEmitter } from 'node:events';

/** Job progress notifications for watchers; the durable truth stays in the store. */
export class JobEvents extends EventEmitter {
  /** Per job, a state that holds until cleared (waiting for participants): a watcher that joins later is told it. */
  private readonly standing = new Map<string, string>();
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  publish(jobId: string, message: string): void {
    this.emit(jobId, message);
    this.emit('*', jobId, message);
  }

  /** Publishes a state that holds until clearStanding (or the next standing one); later watchers are told it first. */
  publishStanding(jobId: string, message: string): void {
    this.standing.set(jobId, message);
    this.publish(jobId, message);
  }
  clearStanding(jobId: string): void {
    this.standing.delete(jobId);
  }
  standingOf(jobId: string): string | undefined {
    return this.standing.get(jobId);
  }
}
