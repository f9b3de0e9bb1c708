import type { tessera } from '@tessera/proto';
import { signedSpecFields, type Submission } from './signed-spec.js';
import type { SealedExchange } from '../service/sealed-exchange.js';
import type { JobRecord, Store } from '../store/store.js';
import type { JobEvents } from './job-events.js';
import { JobLifecycle } from './job-lifecycle.js';
import { refusalReasons } from '../rounds/refusals.js';
import type { OwnersRefusal } from '../rounds/stage.js';
import type { SessionRegistry } from '../service/registry.js';
import { awaitServing } from './willing-participants.js';

/**
 * The life cycle of a job that is one round (a query, an encrypted score, an overlap): running,
 * then completed with what `work` returns, or failed / cancelled with the reason; a suspended
 * runner (coordinator shutting down) leaves the job for a restart. Analysts attached to it are
 * released when it ends.
 */
export abstract class OneRoundRunner extends JobLifecycle {
  protected constructor(
    /** The job as stored when its runner started: its spec and the submission in its context do not change. */
    protected readonly job: JobRecord,
    store: Store,
    events: JobEvents,
    private readonly analysts?: SealedExchange,
  ) {
    super(job.id, store, events);
  }

  protected analystField(): Pick<tessera.v1.ITask, 'specJson' | 'specSignature' | 'analystIdentity'> {
    return signedSpecFields(
      JSON.parse(this.job.contextJson || '{}') as { submission?: Submission; analystIdentity?: string },
      this.job.specJson,
    );
  }

  /** The job's context as stored now (refusals noted since the start included). */
  private async context(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.store.getJob(this.jobId))?.contextJson || '{}') as Record<string, unknown>;
  }

  /**
   * Keeps the participants' refusals on their owners' terms (privacy, consent, query rules) among a
   * round's failures in the job's context, so the analyst sees them in `job.refusals`.
   */
  protected async noteRefusals(
    stage: string,
    outcome: { failures: ReadonlyMap<string, string>; refusals: ReadonlyMap<string, OwnersRefusal> },
  ): Promise<void> {
    const found = [...refusalReasons(outcome)];
    if (!found.length) return;
    const context = await this.context();
    const refusals = [
      ...((context.refusals as { participantId: string; stage: string; round: number; reason: string }[] | undefined) ??
        []),
    ];
    for (const [participantId, reason] of found) refusals.push({ participantId, stage, round: 1, reason });
    await this.store.updateJob(this.jobId, { contextJson: JSON.stringify({ ...context, refusals }) });
  }

  /**
   * Waits (saying who is missing) until the spec's `minParticipants` nodes serve its data set, and returns their
   * sessions; throws when the job is cancelled while it waits.
   */
  protected async servingParticipants(
    registry: SessionRegistry,
    s: { dataset: string; minParticipants: number; waitForParticipantsSeconds: number },
  ) {
    return awaitServing({
      registry,
      spec: s,
      signal: this.abort.signal,
      events: this.events,
      jobId: this.jobId,
      store: this.store,
    });
  }

  /** The round itself: the completion message, and the job context to store (the result), if any. */
  protected abstract runRound(): Promise<{ message: string; context?: object }>;

  protected async work(): Promise<void> {
    await this.store.updateJob(this.jobId, { status: 'running' });
    this.events.publish(this.jobId, 'started');
    const done = await this.runRound();
    await this.store.updateJob(this.jobId, {
      status: 'completed',
      roundsCompleted: 1,
      ...(done.context ? { contextJson: JSON.stringify({ ...(await this.context()), ...done.context }) } : {}),
    });
    this.events.publish(this.jobId, done.message);
  }

  protected override ended(): void {
    this.analysts?.close(this.jobId);
  }
}
