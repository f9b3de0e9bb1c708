import type { AgreedSchema } from '@tessera/data';
import { jobEpsilon, type Strategy } from '@tessera/fl';
import { parseJobSpec, strategyOfSpec, type JobSpec } from '@tessera/jobs';
import type { Model } from '@tessera/ml';
import { columnProfileToProto, toModelConfig, type tessera } from '@tessera/proto';
import { refusalReasons } from '../../../rounds/refusals.js';
import type { OwnersRefusal } from '../../../rounds/stage.js';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { SealedExchange } from '../../../service/sealed-exchange.js';
import type { TaskKey } from '../../../service/task-ref.js';
import type { UploadSlots } from '../../../service/upload-slots.js';
import type { JobRecord, RoundRecord, RoundStage, Store } from '../../../store/store.js';
import type { PayoutLedger } from '../../../payouts/payout-ledger.js';
import { parseContext, type JobContext } from '../../job-context.js';
import type { JobEvents } from '../../job-events.js';
import { JobPrivacy } from '../../job-privacy.js';
import { waitForParticipants } from '../../participant-wait.js';
import { sealedRoundOf, type SealedRound } from '../../sealed-round.js';
import { signedSpecFields } from '../../signed-spec.js';
import type { Aggregator } from './aggregation/aggregator.js';
import { PlainAggregator } from './aggregation/plain-aggregator.js';
import { SecAggAggregator } from './aggregation/secagg-aggregator.js';
import { SealedAggregator } from './aggregation/sealed-aggregator.js';

/** Thrown to unwind a job whose abort signal fired (cancel or suspend). */
export class JobStop extends Error {}

export const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));

/**
 * What every stage of one training job shares: the job's spec, privacy and strategy, its
 * persisted context, the participants, and the round machinery (attempts, the aggregator, task
 * building). Stages (schema, statistics, fit, evaluate,
 * payout) hold one and know nothing of each other.
 */
export class TrainingRun {
  readonly spec: JobSpec;
  readonly privacy: JobPrivacy;
  readonly strategy: Strategy;
  /** The model being trained, built when training starts (its input width is the agreed schema's). */
  model?: Model;
  /** How the stages sum: in plaintext, through SecAgg+, or under the analyst's key (secure.mode). */
  readonly aggregator: Aggregator;
  context: JobContext;
  readonly jobId: string;
  /** The spec as submitted (every task carries it with the analyst's signature). */
  private readonly specJson: string;
  /** Context writes in the order they were made (each writes the whole context; a later one must land last). */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    job: JobRecord,
    readonly store: Store,
    readonly registry: SessionRegistry,
    readonly slots: UploadSlots,
    readonly events: JobEvents,
    readonly sealedExchange: SealedExchange,
    readonly signal: AbortSignal,
    readonly ledger?: PayoutLedger,
    /** The job lease this replica holds: rounds are recorded only under it (the store fences on its epoch). */
    readonly lease?: { holder: string; epoch: number },
  ) {
    const jobId = job.id;
    this.jobId = jobId;
    this.specJson = job.specJson;
    this.spec = parseJobSpec(JSON.parse(job.specJson));
    this.privacy = new JobPrivacy(this.spec);
    this.context = parseContext(job.contextJson);
    this.strategy = strategyOfSpec(this.spec, this.spec.seed !== undefined ? `${this.spec.seed}/${jobId}` : undefined);
    // A stateful strategy resumes from the state of the last completed round.
    if (this.context.strategyState) this.strategy.restore?.(this.context.strategyState);
    const mode = this.spec.secure.mode;
    this.aggregator =
      mode === 'none'
        ? new PlainAggregator(this)
        : mode === 'sealed'
          ? new SealedAggregator(this)
          : new SecAggAggregator(this);
  }

  /**
   * Participants serving the job's data set, less those that refused it on privacy grounds (they are not asked again).
   */
  willing(): ParticipantSession[] {
    const refused = new Set((this.context.refusals ?? []).map((r) => r.participantId));
    return this.registry.serving(this.spec.dataset).filter((s) => !refused.has(s.participantId));
  }

  /** Keeps the privacy-budget refusals among a stage's failures, by participant, for the job's report. */
  async noteRefusals(
    stage: RoundStage,
    round: number,
    outcome: { failures: ReadonlyMap<string, string>; refusals: ReadonlyMap<string, OwnersRefusal> },
  ): Promise<void> {
    const found = [...refusalReasons(outcome)];
    if (!found.length) return;
    const refusals = [...(this.context.refusals ?? [])];
    for (const [participantId, reason] of found) {
      if (!refusals.some((r) => r.participantId === participantId && r.stage === stage && r.round === round))
        refusals.push({ participantId, stage, round, reason });
      this.publish(`participant ${participantId} refused ${stage}${round ? ` round ${round}` : ''}: ${reason}`);
    }
    await this.saveContext({ refusals });
  }

  /**
   * Counts one charged release for every participant asked to contribute to a private release (except those that
   * refused it).
   */
  async notePrivacySpend(
    kind: 'rounds' | 'statistics',
    asked: readonly ParticipantSession[],
    outcome: { refusals: ReadonlyMap<string, OwnersRefusal> },
  ): Promise<void> {
    if (this.spec.privacy.mode === 'none') return;
    const spend = { ...(this.context.privacySpend ?? {}) };
    for (const s of asked) {
      if (outcome.refusals.has(s.participantId)) continue;
      const was = spend[s.participantId] ?? { rounds: 0, statistics: 0 };
      spend[s.participantId] = { ...was, [kind]: was[kind] + 1 };
    }
    await this.saveContext({ privacySpend: spend });
  }

  publish(message: string): void {
    this.events.publish(this.jobId, message);
  }

  checkNotCancelled(): void {
    if (this.signal.aborted) throw new JobStop('cancelled');
  }

  /** Waits for enough participants, runs `attemptOnce` until it succeeds or attempts run out. */
  async withAttempts<T>(
    stage: RoundStage,
    round: number,
    attemptOnce: (
      sessions: ParticipantSession[],
      attempt: number,
    ) => Promise<{ ok: true; value: T } | { ok: false; reason: string; permanent?: boolean }>,
  ): Promise<T> {
    let lastReason = '';
    for (let attempt = 1; attempt <= this.spec.maxRoundAttempts; attempt++) {
      this.checkNotCancelled();
      const enough = await waitForParticipants(this.registry, {
        dataset: this.spec.dataset,
        minParticipants: this.spec.minParticipants,
        waitForParticipantsSeconds: this.spec.waitForParticipantsSeconds,
        signal: this.signal,
        events: this.events,
        jobId: this.jobId,
        enrolled: () => this.store.listParticipants(),
      });
      this.checkNotCancelled();
      if (!enough) throw new JobStop('cancelled');
      const willing = this.willing();
      if (willing.length < this.spec.minParticipants) {
        // Each refusing participant once, with its first reason (already free of its paths and other columns).
        const refused = new Map<string, string>();
        for (const r of this.context.refusals ?? [])
          if (!refused.has(r.participantId)) refused.set(r.participantId, r.reason);
        const reasons = [...refused].map(([id, why]) => `${id}: ${why}`).join('; ');
        throw new Error(
          `${refused.size} participant(s) refused this job (${reasons}), ` +
            `and the ${willing.length} left are fewer than minParticipants = ${this.spec.minParticipants}`,
        );
      }
      const outcome = await attemptOnce(willing, attempt);
      if (outcome.ok) return outcome.value;
      lastReason = outcome.reason;
      // The same participants and data would fail the same way: stop here instead of asking again.
      if (outcome.permanent)
        throw new Error(`${stage} failed: ${outcome.reason}; not retried, as asking again cannot change it`);
      this.publish(`${stage} ${stage === 'fit' ? `round ${round} ` : ''}attempt ${attempt} failed: ${outcome.reason}`);
    }
    this.checkNotCancelled();
    throw new Error(
      `${stage}${stage === 'fit' ? ` round ${round}` : ''} failed ${this.spec.maxRoundAttempts} time(s); ` +
        `last: ${lastReason}`,
    );
  }

  failureSummary(failures: ReadonlyMap<string, string>): string {
    return [...failures].map(([id, why]) => `${id}: ${why}`).join('; ');
  }

  recordRound(r: Omit<RoundRecord, 'jobId' | 'finishedAt'>): RoundRecord {
    return { ...r, jobId: this.jobId, finishedAt: Date.now() };
  }

  /** Updates the context in memory at once and in the store in call order; resolves once this write landed. */
  saveContext(patch: Partial<JobContext>): Promise<void> {
    this.context = { ...this.context, ...patch };
    const contextJson = JSON.stringify(this.context);
    const write = this.saving.then(() => this.store.updateJob(this.jobId, { contextJson }));
    this.saving = write.catch(() => undefined);
    return write;
  }

  taskKey(round: number, stage: tessera.v1.Stage): TaskKey {
    return { jobId: this.jobId, round, stage };
  }

  baseTask(key: TaskKey): tessera.v1.ITask {
    const plan = this.privacy.taskPlan();
    return {
      ref: key,
      dataset: this.spec.dataset,
      label: this.spec.label,
      deadlineUnixMs: Date.now() + this.spec.roundTimeoutSeconds * 1000,
      training: {
        validationFraction: this.spec.validationFraction,
        seed: this.spec.seed ?? this.jobId,
        // Only a payout that values disclosed updates keeps them (not records under DP, nor equal).
        ...(this.spec.payout && this.spec.privacy.mode === 'none' && this.spec.payout.valuation !== 'equal'
          ? { keepForValuation: true }
          : {}),
        // Every stage's task names the model: the schema checks the label against its task, the rest train it.
        model: toModelConfig(this.spec.model, this.spec.local.optimiser),
      },
      ...(plan ? { privacyPlan: plan } : {}),
      ...signedSpecFields(this.context, this.specJson),
    };
  }

  /** Remembers who contributed to a completed round (valuation asks each of them; products share sales among them). */
  async noteContributors(ids: Iterable<string>): Promise<void> {
    const all = new Set([...(this.context.contributors ?? []), ...ids]);
    if (all.size !== (this.context.contributors ?? []).length)
      await this.saveContext({ contributors: [...all].sort() });
  }

  featureMessages(schema: AgreedSchema): tessera.v1.IColumnProfile[] {
    return schema.features.map((f) => columnProfileToProto(f));
  }

  get secure(): boolean {
    return this.spec.secure.mode !== 'none';
  }

  /** Sealed mode: the analyst's public key and parameters (the ring is their plaintext modulus). */
  get sealed(): SealedRound | undefined {
    const s = this.context.sealed;
    if (this.spec.secure.mode !== 'sealed' || !s) return undefined;
    this.sealedKey ??= sealedRoundOf(s);
    return this.sealedKey;
  }

  private sealedKey: SealedRound | undefined;

  /** The ring of secure aggregation: 2^32, or the analyst's plaintext modulus in sealed mode. */
  get ringModulus(): number {
    return this.sealed ? (this.sealed.params.plainModulus as number) : 2 ** 32;
  }

  /**
   * A fit or evaluate task for one participant. The agreed features and the standardisation
   * (each O(d)) go only to a session that has not had them for this job; participants keep them.
   */
  trainingTask(
    key: TaskKey,
    model: Float64Array,
    training: tessera.v1.ITrainingConfig,
    session: ParticipantSession,
  ): tessera.v1.ITask {
    const base = this.baseTask(key);
    // standardizedClip: generated from the proto field standardized_clip, whose wire name stays as published.
    const clip = this.context.standardisation?.clip;
    const task: tessera.v1.ITask = {
      ...base,
      training: { ...base.training, ...training, ...(clip ? { standardizedClip: clip } : {}) },
      modelLength: model.length,
    };
    if (session.jobSetupSent.has(this.jobId)) return task;
    session.jobSetupSent.add(this.jobId);
    const st = this.context.standardisation!;
    this.featureList ??= this.featureMessages(this.context.schema!);
    return { ...task, features: this.featureList, mean: st.mean, std: st.std };
  }

  private featureList: tessera.v1.IColumnProfile[] | undefined;

  /**
   * Example count that earns full weight in a secure FIT round: twice the mean per participant (larger ones are
   * capped).
   */
  weightCap(): number {
    const st = this.context.standardisation!;
    return Math.max(1, Math.ceil((2 * st.count) / Math.max(1, st.contributors ?? 1)));
  }

  /**
   * Epsilon spent so far by the participant charged most: every attempt it was asked to contribute
   * to counts (a retried round is charged again by the participants), not only completed rounds.
   */
  spentEpsilon(): number {
    const spend = Object.values(this.context.privacySpend ?? {});
    const rounds = Math.max(0, ...spend.map((s) => s.rounds));
    const statistics = Math.max(0, ...spend.map((s) => s.statistics));
    return jobEpsilon(this.privacy.cost(), this.spec.privacy.delta, { rounds, fullReleases: statistics });
  }
}
