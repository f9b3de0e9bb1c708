import { catalogueReleases, parseCatalogueSpec, type CatalogueJobSpec } from '@tessera/jobs';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { JobRecord } from '../../../store/store.js';
import { parseContext, type JobContext } from '../../job-context.js';
import { JobLifecycle } from '../../job-lifecycle.js';
import { waitForParticipants } from '../../participant-wait.js';
import { signedSpecFields } from '../../signed-spec.js';
import type { RunnerDeps } from '../job-kind.js';
import { runCatalogueSum, type CatalogueRoundHost, type CatalogueSumOutcome } from './catalogue-round.js';
import { selectExtensions, sortedItems, type CatalogueItem } from './catalogue-trie.js';

/** Attempts of one round before the job fails: as a recommend job's. */
export const CATALOGUE_ROUND_ATTEMPTS = 3;

/** Where the trie stands after a completed round: kept in the job's context so that a restart resumes there. */
interface CatalogueProgress {
  round: number;
  /** The prefixes the next round extends, base64. */
  prefixes: string[];
  items: CatalogueItem[];
  /** The largest epsilon the accountant gave for the rounds' cohorts (the same z: the same epsilon). */
  epsilon: number;
  noiseMultiplier: number;
  /** The threshold of the last round (it depends on the round's survivors unless the spec fixes it). */
  threshold: number;
}

type CatalogueContext = JobContext & { catalogue?: CatalogueProgress; result?: unknown };

/** The job's result, as `tessera job get` and `job result` read it. */
export interface CatalogueResult {
  catalogue: {
    items: CatalogueItem[];
    rounds: number;
    privacy: { epsilon: number; delta: number; noiseMultiplier: number; threshold: number };
  };
}

/**
 * A private catalogue job (after Zhu, Kairouz, McMahan, Sun and Li, "Federated Heavy Hitters Discovery with
 * Differential Privacy", AISTATS 2020): a trie of item ids grown one byte a round. Round r sums, through SecAgg+ with
 * distributed discrete Gaussian noise, every participant's counts of customers per (surviving prefix of r - 1 bytes,
 * next byte or terminator); the extensions whose noisy count clears the threshold survive (at most maxCandidates, the
 * largest), a terminator completing an item. The job stops when no prefix survives, after maxLength + 1 rounds at
 * most.
 */
export class CatalogueRunner extends JobLifecycle {
  private readonly spec: CatalogueJobSpec;
  private context: CatalogueContext;
  private readonly host: CatalogueRoundHost;

  constructor(
    private readonly job: JobRecord,
    private readonly deps: RunnerDeps,
  ) {
    super(job.id, deps.store, deps.events);
    this.spec = parseCatalogueSpec(JSON.parse(job.specJson));
    this.context = parseContext(job.contextJson);
    this.host = {
      jobId: job.id,
      spec: this.spec,
      store: deps.store,
      slots: deps.slots,
      signal: this.abort.signal,
      publish: (message) => this.events.publish(this.jobId, message),
      specFields: () => signedSpecFields(this.context, this.job.specJson),
    };
  }

  protected async work(): Promise<void> {
    const job = await this.store.getJob(this.jobId);
    if (!job) throw new Error(`no job ${this.jobId}`);
    if (job.status === 'pending') await this.store.updateJob(this.jobId, { status: 'running' });
    const s = this.spec;
    const last = catalogueReleases(s);
    let progress: CatalogueProgress = (parseContext(job.contextJson) as CatalogueContext).catalogue ?? {
      round: 0,
      prefixes: [''],
      items: [],
      epsilon: 0,
      noiseMultiplier: 0,
      threshold: 0,
    };
    this.host.publish(progress.round ? `resuming after round ${progress.round}` : 'started');
    while (progress.prefixes.length > 0 && progress.round < last) progress = await this.round(progress);
    const items = sortedItems(progress.items);
    const result: CatalogueResult = {
      catalogue: {
        items,
        rounds: progress.round,
        privacy: {
          epsilon: progress.epsilon,
          delta: s.privacy.delta,
          noiseMultiplier: progress.noiseMultiplier,
          threshold: progress.threshold,
        },
      },
    };
    await this.save({ result }, { status: 'completed', roundsCompleted: progress.round });
    this.host.publish(
      `completed: ${items.length} item(s) after ${progress.round} round(s), ` +
        `epsilon ${progress.epsilon.toFixed(3)} at delta ${s.privacy.delta}`,
    );
  }

  /** One round: the noisy counts over the surviving prefixes, the extensions kept, the progress stored. */
  private async round(before: CatalogueProgress): Promise<CatalogueProgress> {
    const round = before.round + 1;
    const prefixes = before.prefixes.map((p) => new Uint8Array(Buffer.from(p, 'base64')));
    const r = await this.withAttempts(round, (sessions, attempt) =>
      runCatalogueSum(this.host, { round, attempt, sessions, prefixes }),
    );
    const s = this.spec;
    const chosen = selectExtensions(prefixes, r.counts, r.threshold, s.maxCandidates);
    // Prefixes of maxLength bytes can only end: no round extends them.
    const next = round < catalogueReleases(s) ? chosen.next : [];
    const progress: CatalogueProgress = {
      round,
      prefixes: next.map((p) => Buffer.from(p).toString('base64')),
      items: [...before.items, ...chosen.completed],
      epsilon: Math.max(before.epsilon, r.noise.epsilon),
      noiseMultiplier: r.noise.noiseMultiplier,
      threshold: r.threshold,
    };
    const outcome = r.outcome;
    await this.store.addRound({
      jobId: this.jobId,
      round,
      stage: 'catalogue',
      attempt: r.attempt,
      status: 'completed',
      contributors: outcome.survivors.length,
      dropped: [...outcome.failures.keys()],
      metrics: {
        ...r.metrics,
        count_threshold: r.threshold,
        cleared: chosen.cleared,
        completed: chosen.completed.length,
        surviving_prefixes: next.length,
      },
      seconds: r.seconds,
      error: '',
      finishedAt: Date.now(),
    });
    await this.save({ catalogue: progress }, { roundsCompleted: round });
    this.host.publish(
      `round ${round} completed (${outcome.survivors.length} participant(s), threshold ` +
        `${r.threshold.toFixed(1)}): ${chosen.completed.length} item(s) completed, ${next.length} prefix(es) go on`,
    );
    return progress;
  }

  /** Merges `extra` into the stored context and saves it with `fields`. */
  private async save(extra: Partial<CatalogueContext>, fields: { status?: 'completed'; roundsCompleted: number }) {
    const stored = parseContext((await this.store.getJob(this.jobId))?.contextJson ?? '');
    this.context = { ...stored, ...extra };
    await this.store.updateJob(this.jobId, { ...fields, contextJson: JSON.stringify(this.context) });
  }

  /** Waits for enough participants and runs `once` until a sum completes or the attempts ran out. */
  private async withAttempts(
    round: number,
    once: (sessions: ParticipantSession[], attempt: number) => Promise<CatalogueSumOutcome>,
  ) {
    let lastReason = '';
    for (let attempt = 1; attempt <= CATALOGUE_ROUND_ATTEMPTS; attempt++) {
      if (this.abort.signal.aborted) throw new Error('cancelled');
      const sessions = await this.willing();
      const r = await once(sessions, attempt);
      await this.noteRefusals(round, r.refusals);
      if (r.ok) return { ...r.value, attempt };
      lastReason = r.reason;
      if (!this.abort.signal.aborted) this.host.publish(`round ${round} attempt ${attempt} failed: ${r.reason}`);
    }
    if (this.abort.signal.aborted) throw new Error('cancelled');
    throw new Error(`round ${round} failed ${CATALOGUE_ROUND_ATTEMPTS} time(s); last: ${lastReason}`);
  }

  /** The participants serving the data set once minParticipants do, less those that refused this job. */
  private async willing(): Promise<ParticipantSession[]> {
    const s = this.spec;
    const enough = await waitForParticipants(this.deps.registry, {
      dataset: s.dataset,
      minParticipants: s.minParticipants,
      waitForParticipantsSeconds: s.waitForParticipantsSeconds,
      signal: this.abort.signal,
      events: this.events,
      jobId: this.jobId,
      enrolled: () => this.store.listParticipants(),
    });
    if (!enough) throw new Error('cancelled while waiting for participants');
    const refused = new Map<string, string>();
    for (const r of this.context.refusals ?? [])
      if (!refused.has(r.participantId)) refused.set(r.participantId, r.reason);
    const willing = this.deps.registry.serving(s.dataset).filter((x) => !refused.has(x.participantId));
    if (willing.length < s.minParticipants) {
      const reasons = [...refused].map(([id, why]) => `${id}: ${why}`).join('; ');
      throw new Error(
        `${refused.size} participant(s) refused this job (${reasons}), ` +
          `and the ${willing.length} left are fewer than minParticipants = ${s.minParticipants}`,
      );
    }
    return willing;
  }

  /** Keeps the participants' refusals on their owners' terms in the job's context (the analyst sees job.refusals). */
  private async noteRefusals(round: number, found: ReadonlyMap<string, string>): Promise<void> {
    if (!found.size) return;
    const stored = parseContext((await this.store.getJob(this.jobId))?.contextJson ?? '');
    const refusals = [...(stored.refusals ?? [])];
    for (const [participantId, reason] of found) {
      refusals.push({ participantId, stage: 'catalogue', round, reason });
      this.host.publish(`participant ${participantId} refused catalogue round ${round}: ${reason}`);
    }
    this.context = { ...stored, refusals };
    await this.store.updateJob(this.jobId, { contextJson: JSON.stringify(this.context) });
  }
}
