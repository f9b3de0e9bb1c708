import { loadSeal } from '@tessera/he';
import { parseRecommendSpec, type RecommendJobSpec } from '@tessera/jobs';
import {
  algorithmFromSpec,
  initItemFactors,
  itemModelVector,
  itemsFromModelVector,
  seededRandom,
  type ItemFactors,
  type RecommendAlgorithm,
} from '@tessera/recommend';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { JobRecord, RoundStage } from '../../../store/store.js';
import { parseContext, type JobContext } from '../../job-context.js';
import { JobLifecycle } from '../../job-lifecycle.js';
import { waitForParticipants } from '../../participant-wait.js';
import { sealedRoundOf, type SealedRound } from '../../sealed-round.js';
import { signedSpecFields } from '../../signed-spec.js';
import type { RunnerDeps } from '../job-kind.js';
import { checkedCounts, recommendResult } from './recommend-evaluation.js';
import { coveredThreshold, evaluationCounts, type RecommendPhase } from './recommend-release.js';
import {
  runRecommendSum,
  stageOfPhase,
  type RecommendRoundHost,
  type RecommendSumOutcome,
  type RecommendSumResult,
} from './recommend-round.js';

/** Attempts of one round (or the evaluation) before the job fails: as a training job's default maxRoundAttempts. */
export const RECOMMEND_ROUND_ATTEMPTS = 3;

/**
 * A recommend job: the public initial item factors (from the seed), `rounds` secure sums of the merchants' item
 * updates, each applied by `applyItemUpdate` (here in masked mode, by the analyst in sealed mode) and stored with the
 * round, then the leave-last-out evaluation of the final items. A restarted coordinator resumes from the last stored
 * round's items (with BPR's optimiser state). A round whose sum fails is retried, then fails the job with its reason.
 */
export class RecommendRunner extends JobLifecycle {
  private readonly spec: RecommendJobSpec;
  private readonly algorithm: RecommendAlgorithm;
  private readonly sealed: SealedRound | undefined;
  private context: JobContext;
  private readonly host: RecommendRoundHost;

  constructor(
    private readonly job: JobRecord,
    private readonly deps: RunnerDeps,
  ) {
    super(job.id, deps.store, deps.events);
    this.spec = parseRecommendSpec(JSON.parse(job.specJson));
    const m = this.spec.model;
    this.algorithm = algorithmFromSpec({
      algorithm: m.algorithm,
      k: m.k,
      lambda: m.lambda,
      alpha: m.alpha,
      itemRate: m.itemRate,
    });
    this.context = parseContext(job.contextJson);
    if (this.spec.secure.mode === 'sealed') {
      if (!this.context.sealed) throw new Error(`sealed recommend job ${job.id} has no analyst key`);
      this.sealed = sealedRoundOf(this.context.sealed);
    }
    this.host = {
      jobId: job.id,
      spec: this.spec,
      store: deps.store,
      slots: deps.slots,
      exchange: deps.sealed,
      sealed: this.sealed,
      signal: this.abort.signal,
      publish: (message) => this.events.publish(this.jobId, message),
      specFields: () => signedSpecFields(this.context, this.job.specJson),
    };
  }

  protected async work(): Promise<void> {
    const job = await this.store.getJob(this.jobId);
    if (!job) throw new Error(`no job ${this.jobId}`);
    if (job.status === 'pending') await this.store.updateJob(this.jobId, { status: 'running' });
    if (this.sealed) await loadSeal();
    const s = this.spec;
    const count = s.catalogue.items.length;
    const latest = await this.store.latestModel(this.jobId);
    this.host.publish(latest ? `resuming after round ${latest.round}` : 'started');
    let items = latest
      ? itemsFromModelVector(latest.weights, count, s.model.k)
      : initItemFactors(count, s.model.k, seededRandom(`${s.seed ?? s.name}/items`));
    for (let round = (latest?.round ?? 0) + 1; round <= s.rounds; round++) items = await this.trainRound(round, items);
    const evaluation = s.evaluation.holdOut === 'last' ? await this.evaluate(items) : undefined;
    const result = recommendResult(s, evaluation?.counts, evaluation?.noise, evaluation?.coverageThreshold);
    this.context = { ...parseContext((await this.store.getJob(this.jobId))?.contextJson ?? ''), ...this.context };
    await this.store.updateJob(this.jobId, {
      status: 'completed',
      roundsCompleted: s.rounds,
      contextJson: JSON.stringify({ ...this.context, result: { recommend: result } }),
    });
    this.host.publish(
      result.hr10 === undefined
        ? `completed: ${s.rounds} round(s), no evaluation (evaluation.holdOut none)`
        : `completed: HR@10 ${result.hr10.toFixed(4)}, NDCG@10 ${result.ndcg10!.toFixed(4)}, ` +
            `coverage ${result.coverage!.toFixed(4)} over ${result.customers} customer(s)`,
    );
  }

  /** One training round: the summed item update applied to the items, stored with the round. */
  private async trainRound(round: number, items: ItemFactors): Promise<ItemFactors> {
    const withState = itemModelVector(items, true);
    const r = await this.withAttempts('train', round, (sessions, attempt) =>
      runRecommendSum(this.host, {
        phase: 'train',
        round,
        attempt,
        sessions,
        model: itemModelVector(items),
        modelWithState: withState,
      }),
    );
    const next = r.sealed ? this.answeredItems(r.values) : this.algorithm.applyItemUpdate(items, r.values);
    const change = rmsChange(items.factors, next.factors);
    const outcome = r.outcome;
    await this.store.completeRound(
      {
        jobId: this.jobId,
        round,
        stage: 'recommend',
        attempt: r.attempt,
        status: 'completed',
        contributors: outcome.survivors.length,
        dropped: [...outcome.failures.keys()],
        metrics: { ...r.metrics, item_change_rms: change },
        seconds: r.seconds,
        error: '',
        finishedAt: Date.now(),
      },
      itemModelVector(next, true),
      round,
      undefined,
      this.deps.lease,
    );
    const dropped = outcome.failures.size
      ? `; dropped ${[...outcome.failures].map(([id, why]) => `${id}: ${why}`).join('; ')}`
      : '';
    const dp = r.noise ? `, epsilon ${r.noise.epsilon.toFixed(3)} for the whole job` : '';
    this.host.publish(
      `round ${round}/${this.spec.rounds} completed (secure aggregation${r.sealed ? ', sealed' : ''}, ` +
        `threshold ${r.metrics.threshold}${dp}): ${outcome.survivors.length} participant(s), ` +
        `item factors moved ${change.toExponential(3)} RMS${dropped}`,
    );
    return next;
  }

  /** The leave-last-out evaluation of the final items, stored as round rounds + 1 (stage evaluate). */
  private async evaluate(items: ItemFactors) {
    const round = this.spec.rounds + 1;
    const model = itemModelVector(items);
    const r = await this.withAttempts('evaluate', round, (sessions, attempt) =>
      runRecommendSum(this.host, {
        phase: 'evaluate',
        round,
        attempt,
        sessions,
        model,
        modelWithState: itemModelVector(items, true),
      }),
    );
    const threshold = coveredThreshold(r.noise, r.outcome.survivors.length);
    const counts = r.sealed ? checkedCounts(r.values) : evaluationCounts(r.values, items.count, threshold);
    await this.store.addRound({
      jobId: this.jobId,
      round,
      stage: 'evaluate',
      attempt: r.attempt,
      status: 'completed',
      contributors: r.outcome.survivors.length,
      dropped: [...r.outcome.failures.keys()],
      metrics: { ...r.metrics, customers: counts[0], hits: counts[1], ndcg_sum: counts[2], covered_items: counts[3] },
      seconds: r.seconds,
      error: '',
      finishedAt: Date.now(),
    });
    return { counts, noise: r.noise, ...(r.noise ? { coverageThreshold: threshold } : {}) };
  }

  /**
   * The analyst's next item model (sealed), finite: itemModelVector(next, true), so with BPR's Adagrad state from the
   * first round on (the model it was sent has none before the first step).
   */
  private answeredItems(values: Float64Array): ItemFactors {
    const plain = this.spec.catalogue.items.length * (this.spec.model.k + 1);
    const length = this.spec.model.algorithm === 'bpr' ? 2 * plain : plain;
    if (values.length !== length)
      throw new Error(`the analyst answered with ${values.length} item model values, expected ${length}`);
    return itemsFromModelVector(values, this.spec.catalogue.items.length, this.spec.model.k);
  }

  /**
   * Waits for enough participants and runs `once` until a sum completes or RECOMMEND_ROUND_ATTEMPTS ran out (then
   * throws with the last reason). Participants that refused the job on their owners' terms are not asked again.
   */
  private async withAttempts(
    phase: RecommendPhase,
    round: number,
    once: (sessions: ParticipantSession[], attempt: number) => Promise<RecommendSumOutcome>,
  ): Promise<RecommendSumResult & { attempt: number }> {
    const what = phase === 'train' ? `round ${round}/${this.spec.rounds}` : 'the evaluation';
    let last = '';
    for (let attempt = 1; attempt <= RECOMMEND_ROUND_ATTEMPTS; attempt++) {
      if (this.abort.signal.aborted) throw new Error('cancelled');
      const sessions = await this.willing();
      const r = await once(sessions, attempt);
      await this.noteRefusals(stageOfPhase(phase), round, r.refusals);
      if (r.ok) return { ...r.value, attempt };
      last = r.reason;
      if (!this.abort.signal.aborted) this.host.publish(`${what} attempt ${attempt} failed: ${r.reason}`);
    }
    if (this.abort.signal.aborted) throw new Error('cancelled');
    throw new Error(`${what} failed ${RECOMMEND_ROUND_ATTEMPTS} time(s); last: ${last}`);
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
  private async noteRefusals(stage: RoundStage, round: number, found: ReadonlyMap<string, string>): Promise<void> {
    if (!found.size) return;
    const stored = parseContext((await this.store.getJob(this.jobId))?.contextJson ?? '');
    const refusals = [...(stored.refusals ?? [])];
    for (const [participantId, reason] of found) {
      refusals.push({ participantId, stage, round, reason });
      this.host.publish(`participant ${participantId} refused ${stage} round ${round}: ${reason}`);
    }
    this.context = { ...stored, refusals };
    await this.store.updateJob(this.jobId, { contextJson: JSON.stringify(this.context) });
  }

  protected override ended(): void {
    this.deps.sealed.close(this.jobId);
  }
}

/** Root mean square of the change between two factor vectors (how far a round moved the items). */
function rmsChange(before: Float64Array, after: Float64Array): number {
  let squares = 0;
  for (let i = 0; i < before.length; i++) squares += (after[i]! - before[i]!) ** 2;
  return Math.sqrt(squares / Math.max(1, before.length));
}
