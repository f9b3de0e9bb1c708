// One round of a catalogue job: the secure sum of the participants' noisy counts over the surviving prefixes.
import {
  CATALOGUE_SYMBOLS,
  catalogueNoise,
  catalogueThreshold,
  decodeCatalogueSum,
  type CatalogueJobSpec,
  type CatalogueNoise,
} from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { refusalReasons } from '../../../rounds/refusals.js';
import { runSecureSum, type SecureSumOutcome } from '../../../rounds/secure-sum.js';
import { stageLabel, stageProgress } from '../../../rounds/stage-progress.js';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { UploadSlots } from '../../../service/upload-slots.js';
import type { Store } from '../../../store/store.js';
import { identityKeysOf } from '../../identity-keys.js';
import { releasePrivacyPlan } from '../../release-privacy-plan.js';
import type { AttemptOutcome } from '../../round-attempts.js';
import { attemptFailure, sumParameters, sumShortfall } from '../../sum-attempt.js';

const pb = tessera.v1;

/** What a round needs from its job. */
export interface CatalogueRoundHost {
  jobId: string;
  spec: CatalogueJobSpec;
  store: Store;
  slots: UploadSlots;
  signal: AbortSignal;
  publish(message: string): void;
  /** The signed spec fields every task carries. */
  specFields(): Pick<tessera.v1.ITask, 'specJson' | 'specSignature' | 'analystIdentity'>;
}

/** A completed round: the noisy counts, the threshold they are read against, and the round's figures. */
export interface CatalogueSumResult {
  counts: Float64Array;
  threshold: number;
  noise: CatalogueNoise;
  outcome: SecureSumOutcome;
  seconds: number;
  metrics: Record<string, number>;
}

export type CatalogueSumOutcome = AttemptOutcome<CatalogueSumResult>;

/** The privacy plan every task announces (participants recompute it from the signed spec). */
export const cataloguePrivacyPlan = (spec: CatalogueJobSpec, noise: CatalogueNoise): tessera.v1.IPrivacyPlan =>
  releasePrivacyPlan(spec.privacy, noise);

/**
 * Runs round `round` of a catalogue job over `prefixes` (masked SecAgg+, the participants' discrete Gaussian shares
 * in the sum) and decodes the noisy counts. A failed sum is stored as a failed round and returned with its reason.
 */
export async function runCatalogueSum(
  h: CatalogueRoundHost,
  q: { round: number; attempt: number; sessions: readonly ParticipantSession[]; prefixes: readonly Uint8Array[] },
): Promise<CatalogueSumOutcome> {
  const s = h.spec;
  const n = q.sessions.length;
  const started = performance.now();
  const failed = attemptFailure(h.store, {
    jobId: h.jobId,
    round: q.round,
    attempt: q.attempt,
    stage: 'catalogue',
    started,
  });
  if (n < 2) return failed(`secure aggregation needs at least 2 participants in a round, and ${n} is available`);
  const noise = catalogueNoise(s, n);
  const p = sumParameters(n, s);
  const keys = await identityKeysOf(
    h.store,
    q.sessions.map((x) => x.participantId),
  );
  const modulus = 2 ** 32;
  const privacyPlan = cataloguePrivacyPlan(s, noise);
  const catalogue: tessera.v1.ICatalogueTask = { round: q.round, prefixes: [...q.prefixes], dpLevel: noise.level };
  const outcome = await runSecureSum({
    jobId: h.jobId,
    round: q.round,
    attempt: q.attempt,
    computation: pb.Stage.CATALOGUE,
    sessions: q.sessions,
    dimension: q.prefixes.length * CATALOGUE_SYMBOLS,
    threshold: p.threshold,
    degree: p.degree,
    complete: p.complete,
    modulus,
    minSurvivors: noise.minSurvivors,
    task: () => ({
      ...h.specFields(),
      dataset: s.dataset,
      deadlineUnixMs: Date.now() + s.roundTimeoutSeconds * 1000,
      catalogue,
      privacyPlan,
    }),
    identityKey: (id) => keys.get(id)!,
    codec: { bits: 0, clip: 0, weightCap: 0, noiseVariance: noise.shareVariance },
    deadlineMs: s.roundTimeoutSeconds * 1000,
    signal: h.signal,
    progress: (step) =>
      stageProgress(h.publish, `${stageLabel('catalogue', q.round, s.maxLength + 1)}, ${step}`, 'answered'),
    slots: h.slots,
  });
  const metrics: Record<string, number> = {
    participants: n,
    threshold: p.threshold,
    degree: p.degree,
    prefixes: q.prefixes.length,
    ...outcome.stageSeconds,
    epsilon: noise.epsilon,
    noise_multiplier: noise.noiseMultiplier,
    dp_level: noise.level,
  };
  const survivors = outcome.survivors.length;
  const shortfall = sumShortfall(outcome, !!outcome.sum, s.minParticipants, n);
  if (shortfall !== undefined) return failed(shortfall, outcome, metrics);
  const counts = decodeCatalogueSum(outcome.sum!, noise, survivors, modulus);
  return {
    ok: true,
    value: {
      counts,
      threshold: catalogueThreshold(s, noise, survivors),
      noise,
      outcome,
      seconds: (performance.now() - started) / 1000,
      metrics,
    },
    refusals: refusalReasons(outcome),
  };
}
