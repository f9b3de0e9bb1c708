import { catalogueReleases, parseCatalogueSpec, type CatalogueJobSpec } from '@tessera/jobs';
import type { JobRecord } from '../../../store/store.js';
import { parseContext, type JobContext } from '../../job-context.js';
import { JobLifecycle } from '../../job-lifecycle.js';
import { noteJobRefusals } from '../../job-refusals.js';
import { withAttempts, type RoundAttempts } from '../../round-attempts.js';
import { signedSpecFields } from '../../signed-spec.js';
import { willingParticipants, type ParticipantNeed } from '../../willing-participants.js';
import type { RunnerDeps } from '../job-kind.js';
import { runCatalogueSum, type CatalogueRoundHost } from './catalogue-round.js';
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
  private readonly need: ParticipantNeed;

  constructor(
    private readonly job: JobRecord,
    deps: RunnerDeps,
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
    this.need = { ...deps, spec: this.spec, signal: this.abort.signal, jobId: job.id };
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
    const r = await withAttempts(this.attempts(round), (sessions, attempt) =>
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

  /** The attempts of round `round`: enough willing participants each time, their refusals noted. */
  private attempts(round: number): RoundAttempts {
    return {
      attempts: CATALOGUE_ROUND_ATTEMPTS,
      what: `round ${round}`,
      signal: this.abort.signal,
      publish: this.host.publish,
      willing: () => willingParticipants(this.need, this.context.refusals),
      noteRefusals: async (found) => {
        const saved = await noteJobRefusals(
          this.store,
          this.jobId,
          { stage: 'catalogue', round },
          found,
          this.host.publish,
        );
        if (saved) this.context = saved;
      },
    };
  }
}
