import { loadSeal } from '@tessera/he';
import { evaluationCounts, parseRecommendSpec, type RecommendJobSpec } from '@tessera/jobs';
import {
  algorithmFromSpec,
  initItemFactors,
  itemModelVector,
  itemsFromModelVector,
  seededRandom,
  type ItemFactors,
  type RecommendAlgorithm,
} from '@tessera/recommend';
import type { JobRecord } from '../../../store/store.js';
import { parseContext, type JobContext } from '../../job-context.js';
import { JobLifecycle } from '../../job-lifecycle.js';
import { noteJobRefusals } from '../../job-refusals.js';
import { withAttempts, type RoundAttempts } from '../../round-attempts.js';
import { sealedRoundOf, type SealedRound } from '../../sealed-round.js';
import { signedSpecFields } from '../../signed-spec.js';
import { willingParticipants, type ParticipantNeed } from '../../willing-participants.js';
import type { RunnerDeps } from '../job-kind.js';
import { checkedCounts, recommendResult } from './recommend-evaluation.js';
import { coveredThreshold, type RecommendPhase } from './recommend-release.js';
import { runRecommendSum, stageOfPhase, type RecommendRoundHost } from './recommend-round.js';

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
  private readonly need: ParticipantNeed;

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
    this.need = { ...deps, spec: this.spec, signal: this.abort.signal, jobId: job.id };
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
    const r = await withAttempts(this.attempts('train', round), (sessions, attempt) =>
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
    await this.noteContributors(outcome.survivors);
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
    const r = await withAttempts(this.attempts('evaluate', round), (sessions, attempt) =>
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
   * Records the round's survivors among the job's contributors (the members a product built from the job can share a
   * sale among equally), in the stored context so that a resumed job keeps them.
   */
  private async noteContributors(survivors: readonly string[]): Promise<void> {
    const known = this.context.contributors ?? [];
    const all = [...new Set([...known, ...survivors])].sort();
    if (all.length === known.length) return;
    this.context = { ...parseContext((await this.store.getJob(this.jobId))?.contextJson ?? ''), ...this.context };
    this.context.contributors = all;
    await this.store.updateJob(this.jobId, { contextJson: JSON.stringify(this.context) });
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
   * The attempts of a sum of `phase` (RECOMMEND_ROUND_ATTEMPTS): enough willing participants each time, their
   * refusals noted. Participants that refused the job on their owners' terms are not asked again.
   */
  private attempts(phase: RecommendPhase, round: number): RoundAttempts {
    const stage = stageOfPhase(phase);
    return {
      attempts: RECOMMEND_ROUND_ATTEMPTS,
      what: phase === 'train' ? `round ${round}/${this.spec.rounds}` : 'the evaluation',
      signal: this.abort.signal,
      publish: this.host.publish,
      willing: () => willingParticipants(this.need, this.context.refusals),
      noteRefusals: async (found) => {
        const saved = await noteJobRefusals(this.store, this.jobId, { stage, round }, found, this.host.publish);
        if (saved) this.context = saved;
      },
    };
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
