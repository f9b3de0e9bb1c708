import { agreeSchema, type AgreedSchema, type LocalSchema } from '@tessera/data';
import {
  boundedMomentsLength, boundedMomentsNorms, boundsFromHistogram, magnitudeNorms, checkUpdateCodec, createStrategy, decodeEvaluationSum, decodeFixedPoint,
  decodeWideSum, DEFAULT_WIDE, EVALUATION_VALUES, fromRing, MAGNITUDE_BUCKETS, momentsFromBounded, QuantizationError, StreamingSum, WIDE_DIGITS,
  summedUpdatesFrom, type Strategy, type SumDecoding, poissonSample, jobEpsilon,
} from '@tessera/fl';
import { chooseParameters } from '@tessera/secagg';
import { addDiscreteGaussianNoise, updateClipState } from '@tessera/dp';
import { systemRandom } from '@tessera/crypto';
import { logisticInit, standardizationFrom } from '@tessera/ml';
import { toConfigEntries, tessera } from '@tessera/proto';
import { MetricsCollector, SchemaCollector, VectorCollector, type TaskAnswer } from '../rounds/collectors.js';
import { runSecureSum, type SecureSumOutcome } from '../rounds/secure-sum.js';
import { runStage, type StageOutcome } from '../rounds/stage.js';
import type { ParticipantSession } from '../service/participant-session.js';
import type { SessionRegistry } from '../service/registry.js';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import type { RoundRecord, RoundStage, Store } from '../store/store.js';
import { parseContext, type JobContext } from './job-context.js';
import type { JobEvents } from './job-events.js';
import { budgetConflicts } from './privacy-precheck.js';
import { sealedRoundOf, type SealedRound } from './sealed-round.js';
import { loadSeal } from '@tessera/he';
import type { SealedExchange } from '../service/sealed-exchange.js';
import { JobPrivacy, type DpRound } from './job-privacy.js';
import { parseJobSpec, type JobSpec } from '@tessera/jobs';
import { splitPool } from '@tessera/payouts';
import type { PayoutLedger } from '../payouts/payout-ledger.js';
import { valueTraining } from '../payouts/job-valuation.js';
import { ValuationCollector, type DisclosedRound } from '../rounds/valuation-collector.js';
import type { PayoutsView } from './job-context.js';
import { participantSampling, resolveValuation } from '@tessera/jobs';
import { signedSpecFields } from './signed-spec.js';

const pb = tessera.v1;


class JobStop extends Error {}

/** One completed secure training round, before it is recorded. */
interface SecureRoundResult {
  model: Float64Array;
  outcome: SecureSumOutcome & { sum: Uint32Array };
  params: { threshold: number; degree: number };
  attempt: number;
  seconds: number;
  clip: number;
  nextClip?: number;
}

/** With noisy statistics, standardised values are clamped to this many (estimated) standard deviations. */
const PRIVATE_STANDARDIZED_CLIP = 6;

const kindToProto = (k: string) => (k === 'categorical' ? pb.ColumnProfile.Kind.CATEGORICAL : pb.ColumnProfile.Kind.NUMERIC);

const weightedMean = (answers: Iterable<TaskAnswer>, metric: string): number => {
  let s = 0, w = 0;
  for (const a of answers) {
    const v = a.metrics[metric];
    if (Number.isFinite(v)) { s += v * a.numExamples; w += a.numExamples; }
  }
  return w > 0 ? s / w : Number.NaN;
};

/**
 * Drives one job through its stages: schema agreement, federated statistics for
 * standardisation, then `rounds` rounds of fit (streamed, weighted sum of deltas) and
 * federated evaluation. Every completed stage is persisted first, so a restarted coordinator
 * resumes from the last completed round.
 */
export class JobRunner {
  private readonly spec: JobSpec;
  private readonly privacy: JobPrivacy;
  private readonly strategy: Strategy;
  private readonly abort = new AbortController();
  private context: JobContext;

  constructor(
    private readonly jobId: string,
    private readonly store: Store,
    private readonly registry: SessionRegistry,
    private readonly slots: UploadSlots,
    private readonly events: JobEvents,
    private readonly sealedExchange: SealedExchange,
    private readonly ledger?: PayoutLedger,
  ) {
    const job = store.getJob(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    this.spec = parseJobSpec(JSON.parse(job.specJson));
    this.privacy = new JobPrivacy(this.spec);
    this.context = parseContext(job.contextJson);
    this.strategy = createStrategy({
      name: this.spec.strategy.name,
      fractionFit: this.spec.strategy.fractionFit,
      serverLearningRate: this.spec.strategy.serverLearningRate,
      minFitParticipants: this.spec.minParticipants,
      ...(this.spec.seed !== undefined ? { seed: `${this.spec.seed}/${jobId}` } : {}),
    });
  }

  private suspended = false;

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
      const job = this.store.getJob(this.jobId)!;
      if (job.status === 'pending') this.store.updateJob(this.jobId, { status: 'running' });
      this.publish(job.roundsCompleted > 0 ? `resuming after round ${job.roundsCompleted}` : 'started');
      if (this.sealed) await loadSeal();
      if (this.privacy.enabled && !this.context.privacy) this.saveContext({ privacy: { noiseMultiplier: this.privacy.noiseMultiplier } });
      if (!this.context.schema) {
        this.refuseOverBudget();
        await this.agreeOnSchema();
      }
      if (!this.context.standardization) await this.computeStatistics();
      const latest = this.store.latestModel(this.jobId);
      let model = latest?.weights ?? logisticInit(this.context.featureNames!.length);
      for (let round = (latest?.round ?? 0) + 1; round <= this.spec.rounds; round++) {
        model = await this.trainRound(round, model);
      }
      if (this.spec.payout && !this.context.payouts) await this.settlePayout();
      this.store.updateJob(this.jobId, { status: 'completed' });
      this.publish('completed');
    } catch (e) {
      if (this.suspended) return;
      if (this.abort.signal.aborted) {
        this.store.updateJob(this.jobId, { status: 'cancelled', error: String(this.abort.signal.reason ?? 'cancelled') });
        this.publish('cancelled');
      } else {
        const message = e instanceof Error ? e.message : String(e);
        this.store.updateJob(this.jobId, { status: 'failed', error: message });
        this.publish(`failed: ${message}`);
      }
    } finally {
      if (!this.suspended) this.sealedExchange.close(this.jobId);
    }
  }

  /** Fails the job before any work if a connected participant's reported budget cannot cover it. */
  private refuseOverBudget(): void {
    const conflicts = budgetConflicts(this.spec, this.registry.serving(this.spec.dataset));
    if (conflicts.length) throw new Error(`refused before any work: ${conflicts.join('; ')}`);
  }

  /** Participants serving the job's data set, less those that refused it on privacy grounds (they are not asked again). */
  private willing(): ParticipantSession[] {
    const refused = new Set((this.context.refusals ?? []).map((r) => r.participantId));
    return this.registry.serving(this.spec.dataset).filter((s) => !refused.has(s.participantId));
  }

  /** Keeps the privacy-budget refusals among a stage's failures, by participant, for the job's report. */
  private noteRefusals(stage: RoundStage, round: number, failures: ReadonlyMap<string, string>): void {
    const found = [...failures].filter(([, reason]) => isRefusal(reason));
    if (!found.length) return;
    const refusals = [...(this.context.refusals ?? [])];
    for (const [participantId, reason] of found) {
      if (!refusals.some((r) => r.participantId === participantId && r.stage === stage && r.round === round)) refusals.push({ participantId, stage, round, reason });
      this.publish(`participant ${participantId} refused ${stage}${round ? ` round ${round}` : ''}: ${reason}`);
    }
    this.saveContext({ refusals });
  }

  /** Counts one charged release for every participant asked to contribute to a private release (except those that refused it). */
  private notePrivacySpend(kind: 'rounds' | 'statistics', asked: readonly ParticipantSession[], failures: ReadonlyMap<string, string>): void {
    if (this.spec.privacy.mode === 'none') return;
    const spend = { ...(this.context.privacySpend ?? {}) };
    for (const s of asked) {
      if (isRefusal(failures.get(s.participantId) ?? '')) continue;
      const was = spend[s.participantId] ?? { rounds: 0, statistics: 0 };
      spend[s.participantId] = { ...was, [kind]: was[kind] + 1 };
    }
    this.saveContext({ privacySpend: spend });
  }

  private publish(message: string): void {
    this.events.publish(this.jobId, message);
  }

  private checkNotCancelled(): void {
    if (this.abort.signal.aborted) throw new JobStop('cancelled');
  }

  /** Waits for enough participants, runs `attemptOnce` until it succeeds or attempts run out. */
  private async withAttempts<T>(stage: RoundStage, round: number, attemptOnce: (sessions: ParticipantSession[], attempt: number) => Promise<{ ok: true; value: T } | { ok: false; reason: string }>): Promise<T> {
    let lastReason = '';
    for (let attempt = 1; attempt <= this.spec.maxRoundAttempts; attempt++) {
      this.checkNotCancelled();
      const enough = await this.registry.waitFor(this.spec.dataset, this.spec.minParticipants, this.spec.waitForParticipantsSeconds * 1000, this.abort.signal);
      this.checkNotCancelled();
      if (!enough) {
        const have = this.registry.serving(this.spec.dataset).length;
        throw new Error(`only ${have} participant(s) serving data set "${this.spec.dataset}" connected within ${this.spec.waitForParticipantsSeconds} s; the job needs minParticipants = ${this.spec.minParticipants}`);
      }
      const willing = this.willing();
      if (willing.length < this.spec.minParticipants) {
        const refused = (this.context.refusals ?? []).map((r) => r.participantId);
        throw new Error(`${refused.length} participant(s) refused this job on privacy grounds (${[...new Set(refused)].join(', ')}), and the ${willing.length} left are fewer than minParticipants = ${this.spec.minParticipants}`);
      }
      const outcome = await attemptOnce(willing, attempt);
      if (outcome.ok) return outcome.value;
      lastReason = outcome.reason;
      this.publish(`${stage} ${stage === 'fit' ? `round ${round} ` : ''}attempt ${attempt} failed: ${outcome.reason}`);
    }
    this.checkNotCancelled();
    throw new Error(`${stage}${stage === 'fit' ? ` round ${round}` : ''} failed ${this.spec.maxRoundAttempts} time(s); last: ${lastReason}`);
  }

  private failureSummary(failures: Map<string, string>): string {
    return [...failures].map(([id, why]) => `${id}: ${why}`).join('; ');
  }

  private recordRound(r: Omit<RoundRecord, 'jobId' | 'finishedAt'>): RoundRecord {
    return { ...r, jobId: this.jobId, finishedAt: Date.now() };
  }

  private saveContext(patch: Partial<JobContext>): void {
    this.context = { ...this.context, ...patch };
    this.store.updateJob(this.jobId, { contextJson: JSON.stringify(this.context) });
  }

  private taskKey(round: number, stage: tessera.v1.Stage): TaskKey {
    return { jobId: this.jobId, round, stage };
  }

  private baseTask(key: TaskKey): tessera.v1.ITask {
    return {
      ref: key,
      dataset: this.spec.dataset,
      label: this.spec.label,
      deadlineUnixMs: Date.now() + this.spec.roundTimeoutSeconds * 1000,
      config: toConfigEntries({
        validationFraction: this.spec.validationFraction, seed: this.spec.seed ?? this.jobId, ...this.privacy.taskPlan(),
        ...(this.spec.payout ? { keepForValuation: true } : {}),
      }),
      ...signedSpecFields(this.context, this.store.getJob(this.jobId)?.specJson ?? ''),
    };
  }

  /** Remembers who contributed to a completed round (valuation asks each of them for its updates). */
  private noteContributors(ids: Iterable<string>): void {
    if (!this.spec.payout) return;
    const all = new Set([...(this.context.contributors ?? []), ...ids]);
    if (all.size !== (this.context.contributors ?? []).length) this.saveContext({ contributors: [...all].sort() });
  }

  /**
   * A coordinator that stopped between writing a job's ledger entries and recording its payout view
   * must not pay twice: the entries already in the ledger are the payout.
   */
  private restorePayout(base: Omit<PayoutsView, 'status' | 'entries'>): boolean {
    const rows = this.store.ledgerRows(this.jobId);
    if (!rows.length) return false;
    const entries = rows.map((r) => JSON.parse(r.line) as { participant: string; amount: number; share: number; seq: number; method: string });
    this.saveContext({ payouts: {
      ...base, method: entries[0].method, status: 'paid', reason: 'restored from the ledger after a restart (values were not kept)',
      entries: entries.map((e) => ({ participant: e.participant, value: e.share, share: e.share, amount: e.amount, seq: e.seq })), ledgerHead: rows[rows.length - 1].hash,
    } });
    this.publish('payout already in the ledger (restored after a restart)');
    return true;
  }

  /**
   * Data-trust payout: every contributor discloses its per-round updates (if its consent policy
   * grants valuation), the coordinator values the contributions on the job's validation rows, splits
   * the pool exactly, appends the split to the signed ledger and sends each participant its receipt.
   * Without every contributor's consent (or answer) nothing is valued and nothing is paid.
   */
  private async settlePayout(): Promise<void> {
    const payout = this.spec.payout!;
    const contributors = this.context.contributors ?? [];
    const base = { method: payout.valuation, metric: payout.metric, pool: payout.pool, currency: payout.currency, coordinatorPublicKey: this.ledger?.publicKeyHex ?? '' };
    const give = (status: PayoutsView['status'], reason: string) => {
      this.saveContext({ payouts: { ...base, status, reason, entries: [] } });
      this.publish(`payout not made: ${reason}`);
    };
    if (!this.ledger) return give('failed', 'this coordinator has no payout ledger');
    if (this.restorePayout(base)) return;
    if (contributors.length === 0) return give('failed', 'no participant contributed to a completed round');
    const key = this.taskKey(this.spec.rounds, pb.Stage.VALUATE);
    const byId = new Map(this.registry.serving(this.spec.dataset).map((s) => [s.participantId, s]));
    const missing = contributors.filter((id) => !byId.has(id));
    if (missing.length) return give('failed', `contributors ${missing.join(', ')} are not connected to disclose their updates for valuation`);
    const d = this.context.featureNames!.length + 1;
    this.publish(`valuing contributions (${resolveValuation(payout.valuation, contributors.length)}, ${payout.metric} on ${payout.validation.source})`);
    const outcome = await runStage<Map<number, DisclosedRound>>({
      key, sessions: contributors.map((id) => byId.get(id)!), deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal,
      request: () => ({ message: { task: this.baseTask(key) } }),
      collector: (_s, settle) => new ValuationCollector(key, settle, d, this.spec.rounds),
    });
    this.checkNotCancelled();
    this.noteRefusals('valuate', this.spec.rounds, outcome.failures);
    if (outcome.failures.size) {
      const refused = [...outcome.failures].every(([, r]) => isRefusal(r));
      return give(refused ? 'refused' : 'failed', `valuation runs only with every contributor's updates: ${this.failureSummary(outcome.failures)}`);
    }
    const started = performance.now();
    let report;
    try {
      report = valueTraining({
        payout, schema: this.context.schema!, standardization: this.context.standardization!, rounds: this.spec.rounds,
        startModel: (t) => (t === 1 ? logisticInit(d - 1) : this.store.loadModel(this.jobId, t - 1)!),
        strategy: this.strategy, participants: contributors, disclosed: outcome.results, seed: this.jobId,
        weightOf: (n) => (this.secure ? Math.min(this.strategy.contributionWeight(n), this.weightCap()) : this.strategy.contributionWeight(n)),
      });
    } catch (e) {
      return give('failed', `valuation failed: ${(e as Error).message}`);
    }
    const split = splitPool(payout.pool, payout.currency, contributors.map((participant, i) => ({ participant, value: report.values[i] })));
    const timestamp = new Date().toISOString();
    const entries = this.ledger.append(split.entries.map((e) => ({
      job: this.jobId, participant: e.participant, amount: e.amount, currency: split.currency, method: report.method, share: e.share, timestamp,
    })));
    this.saveContext({ payouts: {
      ...base, method: report.method, status: 'paid', evaluations: report.evaluations, valuationSeconds: (performance.now() - started) / 1000,
      entries: split.entries.map((e, i) => ({ ...e, seq: entries[i].seq })), ledgerHead: entries[entries.length - 1]?.hash ?? '',
    } });
    for (const e of entries) {
      byId.get(e.participant)?.send({ receipt: { entryJson: JSON.stringify(e), coordinatorKey: this.ledger.publicKey } }).catch(() => undefined);
    }
    this.publish(`payout of ${payout.pool} ${payout.currency} split by ${report.method}: ${split.entries.map((e) => `${e.participant} ${e.amount}`).join(', ')}`);
  }

  private featureMessages(schema: AgreedSchema): tessera.v1.IColumnProfile[] {
    return schema.features.map((f) => ({ name: f.name, kind: kindToProto(f.kind), categories: f.categories ?? [] }));
  }

  private async agreeOnSchema(): Promise<void> {
    const key = this.taskKey(0, pb.Stage.SCHEMA);
    const schema = await this.withAttempts('schema', 0, async (sessions, attempt) => {
      const started = performance.now();
      // Reports are folded into a running agreement as they arrive: memory does not grow with n.
      let merged: LocalSchema | undefined;
      const fold = (r: tessera.v1.ISchemaReport): string | undefined => {
        const profile: LocalSchema = {
          label: this.spec.label,
          rows: Number(r.rows),
          columns: (r.columns ?? []).map((c) => ({
            name: c.name ?? '',
            kind: c.kind === pb.ColumnProfile.Kind.CATEGORICAL ? 'categorical' as const : 'numeric' as const,
            ...(c.kind === pb.ColumnProfile.Kind.CATEGORICAL ? { categories: c.categories ?? [] } : {}),
          })),
        };
        try {
          const agreed = merged ? agreeSchema([merged, profile]) : agreeSchema([profile]);
          merged = { label: this.spec.label, rows: (merged?.rows ?? 0) + profile.rows, columns: agreed.features };
          return undefined;
        } catch (e) {
          return `its schema cannot be agreed with the others: ${(e as Error).message}`;
        }
      };
      const outcome = await runStage<true>({
        key, sessions, deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal,
        request: () => ({ message: { task: { ...this.baseTask(key), exclude: this.spec.exclude, features: (this.spec.features ?? []).map((name) => ({ name })) } } }),
        collector: (_s, settle) => new SchemaCollector(key, settle, fold),
      });
      const seconds = (performance.now() - started) / 1000;
      const dropped = [...outcome.failures.keys()];
      this.noteRefusals('schema', 0, outcome.failures);
      if (outcome.results.size < this.spec.minParticipants) {
        const reason = `${outcome.results.size} of ${sessions.length} participants reported a schema, fewer than minParticipants = ${this.spec.minParticipants}${dropped.length ? ` (${this.failureSummary(outcome.failures)})` : ''}`;
        this.store.addRound(this.recordRound({ round: 0, stage: 'schema', attempt, status: 'failed', contributors: outcome.results.size, dropped, metrics: {}, seconds, error: reason }));
        return { ok: false as const, reason };
      }
      const agreed: AgreedSchema = { label: this.spec.label, features: merged!.columns };
      if (agreed.features.length === 0) throw new Error(`the participants share no feature columns besides the label "${this.spec.label}"`);
      this.store.addRound(this.recordRound({ round: 0, stage: 'schema', attempt, status: 'completed', contributors: outcome.results.size, dropped, metrics: {}, seconds, error: '' }));
      return { ok: true as const, value: agreed };
    });
    const featureNames = schema.features.flatMap((f) => (f.kind === 'categorical' ? (f.categories ?? []).map((c) => `${f.name}=${c}`) : [f.name]));
    this.saveContext({ schema, featureNames });
    this.publish(`schema agreed: ${featureNames.length} features`);
  }

  private get secure(): boolean {
    return this.spec.secure.mode !== 'none';
  }

  /** Sealed mode: the analyst's public key and parameters (the ring is their plaintext modulus). */
  private get sealed(): SealedRound | undefined {
    const s = this.context.sealed;
    if (this.spec.secure.mode !== 'sealed' || !s) return undefined;
    this.sealedKey ??= sealedRoundOf(s);
    return this.sealedKey;
  }

  private sealedKey: SealedRound | undefined;

  /** The ring of secure aggregation: 2^32, or the analyst's plaintext modulus in sealed mode. */
  private get ringModulus(): number {
    return this.sealed ? this.sealed.params.plainModulus as number : 2 ** 32;
  }

  /** Sealed mode: hands the encrypted sum to the job's analyst and waits for its answer. */
  private async askAnalyst(stage: 'statistics' | 'fit', round: number, outcome: SecureSumOutcome, length: number, decode: object, model?: Float64Array): Promise<Float64Array> {
    if (!this.sealedExchange.attached(this.jobId)) this.publish(`waiting for the analyst to decrypt the ${stage} aggregate${round ? ` of round ${round}` : ''} (tessera job attach ${this.jobId})`);
    return this.sealedExchange.request({
      jobId: this.jobId, round, stage, length, chunks: outcome.sealedSum!, survivors: outcome.survivors.length, decodeJson: JSON.stringify(decode),
      ...(model ? { model: [...model] } : {}),
    }, this.abort.signal);
  }

  /** SecAgg+ threshold and graph for n participants, from the job's dropout and corruption assumptions. */
  private secureParameters(n: number): { threshold: number; degree: number; complete: boolean } {
    let params = this.parametersByN.get(n);
    if (!params) {
      const p = chooseParameters({ n, dropoutRate: this.spec.secure.dropoutRate, corruptFraction: this.spec.secure.corruptFraction });
      const threshold = Math.min(p.degree + 1, Math.max(p.threshold, Math.min(this.spec.minParticipants, n)));
      params = { threshold, degree: p.degree, complete: p.complete };
      this.parametersByN.set(n, params);
    }
    return params;
  }

  /** The parameter search depends only on n and the job's assumptions: computed once per n. */
  private readonly parametersByN = new Map<number, { threshold: number; degree: number; complete: boolean }>();

  /** Runs one secure sum; records a failed round when it fails. */
  private async secureSum(stage: RoundStage, round: number, attempt: number, computation: tessera.v1.Stage, sessions: ParticipantSession[],
    dimension: number, task: (s: ParticipantSession) => tessera.v1.ITask, extra: { model?: Float64Array; codec?: { bits: number; clip: number; weightCap: number; noiseVariance?: number } } = {}):
    Promise<{ ok: true; value: SecureSumOutcome & { sum: Uint32Array }; params: { threshold: number; degree: number } } | { ok: false; reason: string }> {
    const sealed = this.sealed;
    const started = performance.now();
    if (sessions.length < 2) {
      const reason = `secure aggregation needs at least 2 participants in a round, and ${sessions.length} is available; ` +
        'connect more participants, or set secure: {mode: none} to aggregate in plaintext';
      this.store.addRound(this.recordRound({ round, stage, attempt, status: 'failed', contributors: 0, dropped: [], metrics: {}, seconds: 0, error: reason }));
      return { ok: false, reason };
    }
    const params = this.secureParameters(sessions.length);
    const minSurvivors = this.privacy.minSurvivors(sessions.length);
    const outcome = await runSecureSum({
      jobId: this.jobId, round, attempt, computation, sessions, dimension, ...params, modulus: this.ringModulus, task, ...(sealed ? { sealed } : {}),
      ...(minSurvivors > 0 && computation !== pb.Stage.EVALUATE ? { minSurvivors } : {}),
      identityKey: (id) => this.store.getParticipant(id)!.publicKey,
      deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal, slots: this.slots, ...extra,
    });
    const seconds = (performance.now() - started) / 1000;
    const rejected = Object.values(outcome.rejected).reduce((a, b) => a + b, 0);
    this.noteRefusals(stage, round, outcome.failures);
    if (stage === 'fit') this.notePrivacySpend('rounds', sessions, outcome.failures);
    if (stage === 'statistics' && this.spec.privacy.mode !== 'none') this.notePrivacySpend('statistics', sessions, outcome.failures);
    if ((!outcome.sum && !outcome.sealedSum) || outcome.survivors.length < Math.min(this.spec.minParticipants, sessions.length)) {
      const reason = outcome.reason ?? `${outcome.survivors.length} survivors, fewer than minParticipants = ${this.spec.minParticipants}`;
      const detail = outcome.failures.size ? ` (${this.failureSummary(outcome.failures)})` : '';
      this.store.addRound(this.recordRound({
        round, stage, attempt, status: 'failed', contributors: outcome.survivors.length, dropped: [...outcome.failures.keys()],
        metrics: { threshold: params.threshold, degree: params.degree, rejected }, seconds, error: `secure aggregation failed: ${reason}${detail}`,
      }));
      return { ok: false, reason: `secure aggregation failed: ${reason}${detail}` };
    }
    return { ok: true, value: outcome as SecureSumOutcome & { sum: Uint32Array }, params };
  }

  private async computeStatistics(): Promise<void> {
    if (this.secure) return this.computeStatisticsSecurely();
    const key = this.taskKey(0, pb.Stage.STATISTICS);
    const d = this.context.featureNames!.length;
    const dimension = 2 * d + 1;
    const stats = await this.withAttempts('statistics', 0, async (sessions, attempt) => {
      const started = performance.now();
      const sum = new StreamingSum(dimension);
      const outcome = await runStage<TaskAnswer>({
        key, sessions, deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal,
        request: () => ({ message: { task: { ...this.baseTask(key), features: this.featureMessages(this.context.schema!) } } }),
        collector: (s, settle) => new VectorCollector(key, settle, dimension, this.slots, () => s.send({ grant: { task: key } }), (v, answer) => {
          if (v[0] !== answer.numExamples) return `statistics count ${v[0]} does not match the reported ${answer.numExamples} examples`;
          sum.addChunk(0, v, 1);
          sum.commit(1);
          return undefined;
        }),
      });
      const seconds = (performance.now() - started) / 1000;
      const dropped = [...outcome.failures.keys()];
      const ok = outcome.results.size >= this.spec.minParticipants;
      const reason = ok ? '' : `${outcome.results.size} of ${sessions.length} participants sent statistics, fewer than minParticipants = ${this.spec.minParticipants} (${this.failureSummary(outcome.failures)})`;
      this.store.addRound(this.recordRound({ round: 0, stage: 'statistics', attempt, status: ok ? 'completed' : 'failed', contributors: outcome.results.size, dropped, metrics: {}, seconds, error: reason }));
      return ok ? { ok: true as const, value: sum.result().weightedSum } : { ok: false as const, reason };
    });
    this.saveStatistics(stats, d, this.registry.serving(this.spec.dataset).length);
  }

  private saveStatistics(stats: Float64Array, d: number, contributors: number): void {
    const moments = { count: stats[0], sum: stats.slice(1, d + 1), sumSquares: stats.slice(d + 1) };
    const s = standardizationFrom(moments);
    this.saveContext({ standardization: { mean: [...s.mean], std: [...s.std], count: moments.count, contributors } });
    this.publish(`statistics computed over ${moments.count} records${this.secure ? ' (securely aggregated)' : ''}`);
  }

  private async computeStatisticsSecurely(): Promise<void> {
    if (this.spec.privacy.mode !== 'none') return this.computePrivateStatistics();
    const d = this.context.featureNames!.length;
    const outcome = await this.withAttempts('statistics', 0, async (sessions, attempt) => {
      const key = this.taskKey(0, pb.Stage.STATISTICS);
      const started = performance.now();
      const r = await this.secureSum('statistics', 0, attempt, pb.Stage.STATISTICS, sessions, (2 * d + 1) * WIDE_DIGITS,
        () => ({ ...this.baseTask(key), features: this.featureMessages(this.context.schema!) }));
      if (!r.ok) return r;
      this.store.addRound(this.recordRound({
        round: 0, stage: 'statistics', attempt, status: 'completed', contributors: r.value.survivors.length, dropped: [...r.value.failures.keys()],
        metrics: { threshold: r.params.threshold, degree: r.params.degree }, seconds: (performance.now() - started) / 1000, error: '',
      }));
      return { ok: true as const, value: r.value };
    });
    const { sum, survivors } = outcome;
    if (this.sealed) return this.saveSealedStatistics(await this.askAnalyst('statistics', 0, outcome, (2 * d + 1) * WIDE_DIGITS, { wide: { ...DEFAULT_WIDE, modulus: this.ringModulus }, features: d }), d, survivors.length);
    this.saveStatistics(decodeWideSum(sum, survivors.length, { ...DEFAULT_WIDE, modulus: this.ringModulus }), d, survivors.length);
  }

  /** Sealed mode: the analyst decrypted the statistics and answered with the count, means and standard deviations. */
  private saveSealedStatistics(values: Float64Array, d: number, contributors: number): void {
    if (values.length !== 2 * d + 1 || values.some((v) => !Number.isFinite(v)) || values.subarray(d + 1).some((v) => !(v > 0))) {
      throw new Error(`the analyst answered the statistics with ${values.length} values; expected [count, ${d} means, ${d} positive standard deviations]`);
    }
    this.saveContext({ standardization: { mean: [...values.subarray(1, d + 1)], std: [...values.subarray(d + 1)], count: values[0], contributors } });
    this.publish(`statistics computed over ${contributors} participants (sealed: decrypted by the analyst)`);
  }

  /**
   * A fit or evaluate task for one participant. The agreed features and the standardisation
   * (each O(d)) go only to a session that has not had them for this job; participants keep them.
   */
  private trainingTask(key: TaskKey, model: Float64Array, config: Record<string, number | string | boolean>, session: ParticipantSession): tessera.v1.ITask {
    const base = this.baseTask(key);
    const clip = this.context.standardization?.clip;
    const task: tessera.v1.ITask = { ...base, config: [...(base.config ?? []), ...toConfigEntries({ ...config, ...(clip ? { standardizedClip: clip } : {}) })], modelLength: model.length };
    if (session.jobSetupSent.has(this.jobId)) return task;
    session.jobSetupSent.add(this.jobId);
    const st = this.context.standardization!;
    this.featureList ??= this.featureMessages(this.context.schema!);
    return { ...task, features: this.featureList, mean: st.mean, std: st.std };
  }

  private featureList: tessera.v1.IColumnProfile[] | undefined;

  private async trainRound(round: number, global: Float64Array): Promise<Float64Array> {
    if (this.secure) return this.trainRoundSecurely(round, global);
    const fitKey = this.taskKey(round, pb.Stage.FIT);
    const { model, fit, seconds, attempt, participants } = await this.withAttempts('fit', round, async (sessions, attempt) => {
      const started = performance.now();
      const plan = this.strategy.configureFit(round, sessions.map((s) => s.participantId));
      const chosen = sessions.filter((s) => plan.participants.includes(s.participantId));
      const config = {
        epochs: this.spec.local.epochs, batchSize: this.spec.local.batchSize, learningRate: this.spec.local.learningRate, l2: this.spec.model.l2,
        ...plan.config,
      };
      const sum = new StreamingSum(global.length);
      const fit = await runStage<TaskAnswer>({
        key: fitKey, sessions: chosen, deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal,
        request: (s) => ({ message: { task: this.trainingTask(fitKey, global, config, s) }, model: global }),
        collector: (s, settle) => new VectorCollector(fitKey, settle, global.length, this.slots, () => s.send({ grant: { task: fitKey } }), (delta, answer) => {
          const w = this.strategy.contributionWeight(answer.numExamples);
          sum.addChunk(0, delta, w);
          sum.commit(w);
          return undefined;
        }),
      });
      const seconds = (performance.now() - started) / 1000;
      if (fit.results.size < this.spec.minParticipants) {
        const reason = `${fit.results.size} of ${chosen.length} participants contributed, fewer than minParticipants = ${this.spec.minParticipants} (${this.failureSummary(fit.failures)})`;
        this.store.addRound(this.recordRound({ round, stage: 'fit', attempt, status: 'failed', contributors: fit.results.size, dropped: [...fit.failures.keys()], metrics: {}, seconds, error: reason }));
        return { ok: false as const, reason };
      }
      const model = this.strategy.aggregateFit(round, global, sum.result());
      return { ok: true as const, value: { model, fit, seconds, attempt, participants: chosen.length } };
    });
    this.checkNotCancelled();
    const evaluation = await this.evaluate(round, model);
    const metrics: Record<string, number> = {
      train_loss: weightedMean(fit.results.values(), 'train_loss'),
      ...evaluation,
      participants,
    };
    const record = this.recordRound({
      round, stage: 'fit', attempt, status: 'completed', contributors: fit.results.size, dropped: [...fit.failures.keys()], metrics, seconds, error: '',
    });
    this.store.completeRound(record, model, round);
    this.noteContributors(fit.results.keys());
    const dropped = fit.failures.size ? `; dropped ${this.failureSummary(fit.failures)}` : '';
    this.publish(`round ${round}/${this.spec.rounds} completed: loss ${fmt(metrics.loss)}, AUC ${fmt(metrics.auc)}${dropped}`);
    return model;
  }

  /** Example count that earns full weight in a secure FIT round: twice the mean per participant (larger ones are capped). */
  private weightCap(): number {
    const st = this.context.standardization!;
    return Math.max(1, Math.ceil((2 * st.count) / Math.max(1, st.contributors ?? 1)));
  }

  /** One release of the private statistics stage: a secure sum of fixed-point vectors with discrete Gaussian noise, decoded. */
  private async privateStatisticsRelease(part: 'magnitudes' | 'moments', length: number, norms: { unitNorm: number; replaceNorm: number }, bounds: Float64Array): Promise<{ values: Float64Array; noiseStd: number }> {
    return this.withAttempts('statistics', 0, async (sessions, attempt) => {
      const key = this.taskKey(0, pb.Stage.STATISTICS);
      const started = performance.now();
      const release = this.privacy.release(sessions.length, norms, length);
      const r = await this.secureSum('statistics', 0, attempt, pb.Stage.STATISTICS, sessions, length, () => {
        const base = this.baseTask(key);
        return {
          ...base, features: this.featureMessages(this.context.schema!), bounds: [...bounds],
          config: [...(base.config ?? []), ...toConfigEntries({ statsPart: part, dpLevel: release.level, maxRecords: this.spec.privacy.maxRecords })],
        };
      }, { codec: { bits: 0, clip: 0, weightCap: 0, ...(release.shareVariance > 0 ? { noiseVariance: release.shareVariance } : {}) } });
      if (!r.ok) return r;
      if (this.spec.privacy.mode === 'central') addDiscreteGaussianNoise(r.value.sum, BigInt(Math.ceil(release.totalVariance)), 2 ** 32, systemRandom());
      this.store.addRound(this.recordRound({
        round: 0, stage: 'statistics', attempt, status: 'completed', contributors: r.value.survivors.length, dropped: [...r.value.failures.keys()],
        metrics: { threshold: r.params.threshold, degree: r.params.degree, noise_multiplier: this.privacy.noiseMultiplier }, seconds: (performance.now() - started) / 1000, error: '',
      }));
      this.statisticsContributors = r.value.survivors.length;
      const noiseStd = Math.sqrt(this.spec.privacy.mode === 'distributed' ? release.shareVariance * r.value.survivors.length : this.spec.privacy.mode === 'local' ? release.totalVariance * r.value.survivors.length : release.totalVariance) / release.level;
      return { ok: true as const, value: { values: decodeFixedPoint(r.value.sum, release.level, 2 ** 32), noiseStd } };
    });
  }

  private statisticsContributors = 0;

  /**
   * Differentially private standardisation, in two releases: a power-of-two histogram of |x| per
   * feature gives public clipping bounds (its 99th percentile), then the moments of the features
   * clamped to those bounds. Nothing of the raw data's range is revealed except through noise.
   */
  private async computePrivateStatistics(): Promise<void> {
    const d = this.context.featureNames!.length;
    const histogram = await this.privateStatisticsRelease('magnitudes', d * MAGNITUDE_BUCKETS, magnitudeNorms(d), new Float64Array(0));
    const bounds = boundsFromHistogram(histogram.values, d, 0.01, 3 * histogram.noiseStd);
    const sums = await this.privateStatisticsRelease('moments', boundedMomentsLength(d), boundedMomentsNorms(d), bounds);
    const m = momentsFromBounded(sums.values, bounds, sums.noiseStd);
    const s = standardizationFrom(m);
    this.saveContext({ standardization: { mean: [...s.mean], std: [...s.std], count: m.count, contributors: this.statisticsContributors, clip: PRIVATE_STANDARDIZED_CLIP } });
    this.publish(`statistics computed with differential privacy (${this.spec.privacy.unit === 'record' ? `about ${Math.round(m.count)} records` : `${this.statisticsContributors} participants`})`);
  }

  private async trainRoundSecurely(round: number, global: Float64Array): Promise<Float64Array> {
    // Central mode, fractionFit < 1: one Poisson sample per round (from the CSPRNG), kept across attempts.
    let sample: string[] | undefined;
    let skipped = false;
    const result = await this.withAttempts<SecureRoundResult | undefined>('fit', round, async (sessions, attempt) => {
      const started = performance.now();
      const plan = this.strategy.configureFit(round, sessions.map((s) => s.participantId));
      if (this.poisson) sample ??= poissonSample(sessions.map((s) => s.participantId), this.spec.strategy.fractionFit, systemRandom());
      const chosen = sessions.filter((s) => (sample ?? plan.participants).includes(s.participantId));
      if (sample && sample.length < Math.max(2, this.spec.minParticipants)) {
        skipped = true;
        this.skippedRound(round, attempt, sample.length, global);
        return { ok: true as const, value: undefined };
      }
      const privacy = this.spec.privacy;
      const clip = privacy.mode !== 'none' && privacy.unit === 'participant' ? (privacy.adaptiveClip ? this.context.adaptiveClip?.clip ?? privacy.clip : privacy.clip) : this.spec.secure.clip;
      const codec = { bits: this.spec.secure.bits, clip, modulus: this.ringModulus };
      const dp = this.privacy.round(codec.bits, chosen.length, global.length, Math.min(this.weightCap(), this.spec.privacy.maxRecords));
      if (dp?.unit !== 'record') {
        try {
          checkUpdateCodec(codec, chosen.length);
        } catch (e) {
          if (e instanceof QuantizationError) throw new Error(`job spec: ${e.message}`);
          throw e;
        }
      }
      const fitKey = this.taskKey(round, pb.Stage.FIT);
      const config = {
        epochs: this.spec.local.epochs, batchSize: this.spec.local.batchSize, learningRate: this.spec.local.learningRate, l2: this.spec.model.l2,
        ...plan.config,
        ...(dp?.record ? { dpUnit: 'record', recordClip: dp.record.clip, recordLevel: dp.record.level, maxRecords: dp.record.maxRecords } : {}),
        ...(dp?.indicator ? { clipIndicatorScale: dp.indicator.scale } : {}),
      };
      const r = await this.secureSum('fit', round, attempt, pb.Stage.FIT, chosen, global.length + 1 + (dp?.indicator ? 1 : 0), (s) => this.trainingTask(fitKey, global, config, s),
        { model: global, codec: { bits: codec.bits, clip: codec.clip, weightCap: dp ? 0 : this.weightCap(), ...(dp && dp.shareVariance > 0 ? { noiseVariance: dp.shareVariance } : {}) } });
      if (!r.ok) return r;
      if (dp?.mode === 'central') addDiscreteGaussianNoise(r.value.sum, BigInt(Math.ceil(dp.totalVariance)), 2 ** 32, systemRandom());
      const n = r.value.survivors.length;
      let sum = r.value.sum;
      let nextClip: number | undefined;
      if (dp?.indicator && privacy.adaptiveClip) {
        const unclipped = fromRing(sum[sum.length - 1], 2 ** 32) / dp.indicator.scale + n / 2;
        nextClip = updateClipState({ clip, ...privacy.adaptiveClip, bitNoiseStd: dp.indicator.bitNoiseStd }, unclipped, n).clip;
        sum = sum.subarray(0, sum.length - 1);
      }
      const model = this.sealed
        ? this.checkedModel(await this.askAnalyst('fit', round, r.value, global.length + 1, { decoding: this.sumDecoding(codec, dp) }, global), global.length)
        : this.strategy.aggregateFit(round, global, summedUpdatesFrom(sum, this.sumDecoding(codec, dp), global, n));
      return { ok: true as const, value: { model, outcome: r.value, params: r.params, attempt, seconds: (performance.now() - started) / 1000, clip, nextClip } };
    });
    this.checkNotCancelled();
    if (skipped || !result) return global;
    const evaluation = await this.evaluateSecurely(round, result.model);
    const rejected = Object.values(result.outcome.rejected).reduce((a, b) => a + b, 0);
    const metrics: Record<string, number> = {
      ...evaluation, participants: result.outcome.survivors.length + result.outcome.failures.size,
      threshold: result.params.threshold, degree: result.params.degree, rejected,
      ...(this.spec.privacy.mode !== 'none' ? { epsilon: this.spentEpsilon(), noise_multiplier: this.privacy.noiseMultiplier, clip: result.clip } : {}),
    };
    if (result.nextClip !== undefined) this.saveContext({ adaptiveClip: { clip: result.nextClip, round } });
    const record = this.recordRound({
      round, stage: 'fit', attempt: result.attempt, status: 'completed', contributors: result.outcome.survivors.length,
      dropped: [...result.outcome.failures.keys()], metrics, seconds: result.seconds, error: '',
    });
    this.store.completeRound(record, result.model, round);
    this.noteContributors(result.outcome.survivors);
    const dropped = result.outcome.failures.size ? `; dropped ${this.failureSummary(result.outcome.failures)}` : '';
    const privacy = metrics.epsilon !== undefined ? `, epsilon spent ${fmt(metrics.epsilon)}` : '';
    this.publish(`round ${round}/${this.spec.rounds} completed (secure aggregation, threshold ${result.params.threshold}${privacy}): loss ${fmt(metrics.loss)}, AUC ${fmt(metrics.auc)}${dropped}`);
    return result.model;
  }

  /** Central mode with fractionFit < 1: participants are drawn by Poisson sampling from the CSPRNG, the rate the accountant amplifies with. */
  private get poisson(): boolean {
    return participantSampling(this.spec) === 'poisson';
  }

  /**
   * A Poisson sample too small to aggregate: the round releases nothing and the model stays. It
   * is not retried with a new sample (resampling until enough would raise the real sampling rate
   * above the one the accountant assumes); it still counts as one of the job's rounds.
   */
  private skippedRound(round: number, attempt: number, sampled: number, global: Float64Array) {
    const reason = `Poisson sample of ${sampled} participant(s) is below what a round needs (minParticipants = ${this.spec.minParticipants}); nothing released, model unchanged`;
    this.store.completeRound(this.recordRound({ round, stage: 'fit', attempt, status: 'completed', contributors: 0, dropped: [], metrics: { participants: sampled, skipped: 1 }, seconds: 0, error: reason }), global, round);
    this.publish(`round ${round}/${this.spec.rounds} skipped: ${reason}`);
  }

  /**
   * Epsilon spent so far by the participant charged most: every attempt it was asked to contribute
   * to counts (a retried round is charged again by the participants), not only completed rounds.
   */
  private spentEpsilon(): number {
    const spend = Object.values(this.context.privacySpend ?? {});
    const rounds = Math.max(0, ...spend.map((s) => s.rounds));
    const statistics = Math.max(0, ...spend.map((s) => s.statistics));
    return jobEpsilon(this.privacy.cost(), this.spec.privacy.delta, { rounds, fullReleases: statistics });
  }

  private checkedModel(values: Float64Array, length: number): Float64Array {
    if (values.length !== length || values.some((v) => !Number.isFinite(v))) throw new Error(`the analyst answered with ${values.length} model values (finite values expected: ${length})`);
    return values;
  }

  /** How this round's ring sum decodes into the strategy's input (the analyst applies it in sealed mode). */
  private sumDecoding(codec: { bits: number; clip: number; modulus: number }, dp: DpRound | undefined): SumDecoding {
    if (dp?.record) return { kind: 'record', codec: { clip: dp.record.clip, level: dp.record.level, modulus: dp.record.modulus }, learningRate: this.spec.local.learningRate, l2: this.spec.model.l2 };
    return { kind: 'update', codec, uniformWeights: dp !== undefined };
  }

  /** Federated evaluation through secure aggregation: only the example-weighted sums of the metrics are revealed. */
  private async evaluateSecurely(round: number, model: Float64Array): Promise<Record<string, number>> {
    // Sealed: only the analyst may read aggregates, evaluation metrics included; they are not computed here.
    if (this.sealed) return {};
    // Under differential privacy every release is accounted; federated evaluation would be one more, so it is not run.
    if (this.spec.privacy.mode !== 'none') return {};
    const sessions = this.willing();
    if (sessions.length < 2) return {};
    const key = this.taskKey(round, pb.Stage.EVALUATE);
    const r = await this.secureSum('evaluate', round, 1, pb.Stage.EVALUATE, sessions, EVALUATION_VALUES * WIDE_DIGITS, (s) => this.trainingTask(key, model, {}, s), { model });
    if (!r.ok) return {};
    return decodeEvaluationSum(r.value.sum, r.value.survivors.length, DEFAULT_WIDE);
  }

  private async evaluate(round: number, model: Float64Array): Promise<Record<string, number>> {
    const key = this.taskKey(round, pb.Stage.EVALUATE);
    const sessions = this.willing();
    const outcome: StageOutcome<TaskAnswer> = await runStage<TaskAnswer>({
      key, sessions, deadlineMs: this.spec.roundTimeoutSeconds * 1000, signal: this.abort.signal,
      request: (s) => ({ message: { task: this.trainingTask(key, model, {}, s) }, model }),
      collector: (_s, settle) => new MetricsCollector(key, settle),
    });
    const reports = [...outcome.results].map(([participant, a]) => ({ participant, numExamples: a.numExamples, metrics: a.metrics }));
    return { ...this.strategy.aggregateEvaluate(round, reports), evaluated_examples: reports.reduce((s, r) => s + r.numExamples, 0) };
  }
}

/** A participant's refusal on its owner's terms (privacy budget or consent), as opposed to a failure. */
const isRefusal = (reason: string) => reason.startsWith('privacy') || reason.startsWith('consent');

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));
