import { LeaseLost } from '../store/lease-lost.js';
import type { Store } from '../store/store.js';
import type { JobEvents } from './job-events.js';

/**
 * The life cycle every job runner shares: `work` runs the job (and marks it completed); a throw
 * fails it with the reason, a cancel ends it as cancelled, and a suspend (the coordinator shutting
 * down) leaves it as it is for a restarted coordinator to resume. A fenced write refused because this
 * replica lost the job's lease (LeaseLost) is a suspend too: the replica now holding the lease resumes the
 * job, so it is not failed here. `ended` runs once the job has ended (not when suspended).
 */
export abstract class JobLifecycle {
  protected readonly abort = new AbortController();
  protected suspended = false;

  protected constructor(
    protected readonly jobId: string,
    protected readonly store: Store,
    protected readonly events: JobEvents,
  ) {}

  cancel(reason: string): void {
    this.abort.abort(reason);
  }

  /** Stops work without ending the job: a restarted coordinator resumes it. */
  suspend(): void {
    this.suspended = true;
    this.abort.abort('coordinator shutting down');
  }

  async run(): Promise<void> {
    try {
      await this.work();
    } catch (e) {
      if (e instanceof LeaseLost || (e as Error | undefined)?.name === 'LeaseLost') {
        this.suspended = true;
        this.abort.abort('the job lease was lost to another replica');
      }
      if (this.suspended) return;
      if (this.abort.signal.aborted) {
        await this.store.updateJob(this.jobId, {
          status: 'cancelled',
          error: String(this.abort.signal.reason ?? 'cancelled'),
        });
        this.events.publish(this.jobId, 'cancelled');
      } else {
        const message = e instanceof Error ? e.message : String(e);
        await this.store.updateJob(this.jobId, { status: 'failed', error: message });
        this.events.publish(this.jobId, `failed: ${message}`);
      }
    } finally {
      if (!this.suspended) this.ended();
    }
  }

  /** Runs the job to completion, marking it completed; throws to fail it. */
  protected abstract work(): Promise<void>;

  /** Releases what the job held once it ended. */
  protected ended(): void {}
}
