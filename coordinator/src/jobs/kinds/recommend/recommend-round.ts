import { DEFAULT_WIDE } from '@tessera/fl';
import { RECOMMEND_FRACTION_BITS, type RecommendJobSpec, type RecommendNoise } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { refusalReasons } from '../../../rounds/refusals.js';
import { runSecureSum, type SecureSumOutcome } from '../../../rounds/secure-sum.js';
import { stageLabel, stageProgress } from '../../../rounds/stage-progress.js';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { SealedExchange } from '../../../service/sealed-exchange.js';
import type { UploadSlots } from '../../../service/upload-slots.js';
import type { RoundStage, Store } from '../../../store/store.js';
import { identityKeysOf } from '../../identity-keys.js';
import type { AttemptOutcome } from '../../round-attempts.js';
import type { SealedRound } from '../../sealed-round.js';
import { attemptFailure, sumParameters, sumShortfall } from '../../sum-attempt.js';
import { decodeRelease, recommendPrivacyPlan, recommendRelease, type RecommendPhase } from './recommend-release.js';

const pb = tessera.v1;

/** One secure sum of a recommend job: the phase, its round, and the item factors the participants start from. */
export interface RecommendSum {
  phase: RecommendPhase;
  round: number;
  attempt: number;
  sessions: readonly ParticipantSession[];
  /** itemModelVector(items): what the participants receive. */
  model: Float64Array;
  /** itemModelVector(items, true): what the analyst applies the sum to in sealed mode (BPR's optimiser state too). */
  modelWithState: Float64Array;
}

/** A completed sum: the decoded vector (masked), or the analyst's answer (sealed), and the round's figures. */
export interface RecommendSumResult {
  /** Masked: the summed vector in real units. Sealed: the analyst's answer (next model, or evaluation counts). */
  values: Float64Array;
  sealed: boolean;
  outcome: SecureSumOutcome;
  seconds: number;
  metrics: Record<string, number>;
  /** The release's noise under customer-level DP. */
  noise: RecommendNoise | undefined;
}

/** A sum's outcome; either way with the participants that refused it on their owners' terms, and why. */
export type RecommendSumOutcome = AttemptOutcome<RecommendSumResult>;

/** What a round needs from its job. */
export interface RecommendRoundHost {
  jobId: string;
  spec: RecommendJobSpec;
  store: Store;
  slots: UploadSlots;
  exchange: SealedExchange;
  sealed: SealedRound | undefined;
  signal: AbortSignal;
  publish(message: string): void;
  /** The signed spec fields every task carries. */
  specFields(): Pick<tessera.v1.ITask, 'specJson' | 'specSignature' | 'analystIdentity'>;
}

/** The stage a round is stored under: 'recommend' for a training round, 'evaluate' for the evaluation. */
export const stageOfPhase = (phase: RecommendPhase): RoundStage => (phase === 'train' ? 'recommend' : 'evaluate');

/**
 * Runs one SecAgg+ round of a recommend job (masked, or sealed under the analyst's key) and decodes it: the exact wide
 * sum or the DP sum in masked mode; in sealed mode the encrypted sum goes to the analyst, whose answer is the value.
 * A failed sum is stored as a failed round and returned with its reason (the caller retries).
 */
export async function runRecommendSum(h: RecommendRoundHost, q: RecommendSum): Promise<RecommendSumOutcome> {
  const s = h.spec;
  const n = q.sessions.length;
  const stage = stageOfPhase(q.phase);
  const started = performance.now();
  const failed = attemptFailure(h.store, { jobId: h.jobId, round: q.round, attempt: q.attempt, stage, started });
  if (n < 2) return failed(`secure aggregation needs at least 2 participants in a round, and ${n} is available`);
  const release = recommendRelease(s, q.phase, n);
  const noise = release.noise;
  const p = sumParameters(n, s);
  const keys = await identityKeysOf(
    h.store,
    q.sessions.map((x) => x.participantId),
  );
  const modulus = h.sealed ? Number(h.sealed.params.plainModulus) : 2 ** 32;
  const privacyPlan = recommendPrivacyPlan(s, noise);
  const recommend: tessera.v1.IRecommendTask = {
    phase: q.phase === 'train' ? pb.RecommendTask.Phase.TRAIN : pb.RecommendTask.Phase.EVALUATE,
    round: q.round,
    ...(noise ? { dpLevel: noise.level } : { wideFractionBits: RECOMMEND_FRACTION_BITS }),
  };
  const outcome = await runSecureSum({
    jobId: h.jobId,
    round: q.round,
    attempt: q.attempt,
    computation: pb.Stage.RECOMMEND,
    sessions: q.sessions,
    dimension: release.dimension,
    threshold: p.threshold,
    degree: p.degree,
    complete: p.complete,
    modulus,
    ...(noise ? { minSurvivors: noise.minSurvivors } : {}),
    ...(h.sealed ? { sealed: h.sealed } : {}),
    task: () => ({
      ...h.specFields(),
      dataset: s.dataset,
      deadlineUnixMs: Date.now() + s.roundTimeoutSeconds * 1000,
      modelLength: q.model.length,
      recommend,
      ...(privacyPlan ? { privacyPlan } : {}),
    }),
    identityKey: (id) => keys.get(id)!,
    codec: { bits: 0, clip: 0, weightCap: 0, ...(noise ? { noiseVariance: noise.shareVariance } : {}) },
    model: q.model,
    deadlineMs: s.roundTimeoutSeconds * 1000,
    signal: h.signal,
    progress: (step) => stageProgress(h.publish, `${stageLabel(q.phase, q.round, s.rounds)}, ${step}`, 'answered'),
    slots: h.slots,
  });
  const metrics: Record<string, number> = {
    participants: n,
    threshold: p.threshold,
    degree: p.degree,
    ...outcome.stageSeconds,
    ...(noise ? { epsilon: noise.epsilon, noise_multiplier: noise.noiseMultiplier, dp_level: noise.level } : {}),
  };
  const survivors = outcome.survivors.length;
  const shortfall = sumShortfall(outcome, !!(outcome.sum || outcome.sealedSum), s.minParticipants, n);
  if (shortfall !== undefined) return failed(shortfall, outcome, metrics);
  let values: Float64Array;
  if (outcome.sealedSum) {
    values = await h.exchange.request(
      {
        jobId: h.jobId,
        round: q.round,
        stage,
        length: release.dimension,
        chunks: outcome.sealedSum,
        survivors,
        decodeJson: JSON.stringify({
          phase: q.phase,
          algorithm: s.model.algorithm,
          k: s.model.k,
          items: s.catalogue.items.length,
          wide: { ...DEFAULT_WIDE, fractionBits: RECOMMEND_FRACTION_BITS, modulus },
        }),
        model: [...q.modelWithState],
      },
      h.signal,
      {
        what: `the ${q.phase === 'train' ? 'item update' : 'evaluation'} of round ${q.round}`,
        publish: h.publish,
      },
    );
  } else values = decodeRelease(release, outcome.sum!, survivors, modulus);
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: true,
    value: { values, sealed: !!outcome.sealedSum, outcome, seconds, metrics, noise },
    refusals: refusalReasons(outcome),
  };
}
