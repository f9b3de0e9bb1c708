// The noise of a private encrypted-scoring release, computed alike by participants, coordinator and analyst.
import { noiseShareVariance } from '@tessera/fl';
import type { PrivacyView } from './privacy-view.js';
import { queryNoiseMultiplier } from './query-noise.js';
import type { ScorePrivacy, ScoreSpec } from './score-spec.js';

/** Every bound below is multiplied by this: it covers the float rounding of its few operations (as elsewhere). */
const FLOAT_SLACK = 1 + 2 ** -20;

/**
 * How one participant's per-segment sums are released under `privacy`:
 * - every row's encoded features x (d of them) are scaled down to L2 norm at most `clip` and the
 *   row contributes the integer vector (round(scale·x), countWeight) to its segment: features in
 *   fixed point with `scale` = 2^k chosen so that scale·clip is about 2^16, then the count at
 *   `countWeight` = round(scale·clip) per row (full weight: the count's noise, in rows, is then
 *   about √2·z rather than z·clip; the features pay a factor of about √2 for it);
 * - adding or removing one row moves one segment's integer vector by at most
 *   `sensitivity` = sqrt((scale·clip + √d / 2)² + countWeight²) (rounding to nearest moves a vector
 *   by at most √d / 2), and no other segment;
 * - the sum wants discrete Gaussian noise of standard deviation `sigma` = z·sensitivity, z the noise
 *   multiplier of one (epsilon, delta) release (analytic Gaussian, as a single query's);
 * - each participant adds `shareVariance` of it to every coordinate of every segment: the whole
 *   sigma² (local), or sigma² / (m − c) (distributed: m = minParticipants answers, c = ⌊γm⌋ of them
 *   colluding), so that any released sum of at least m answers carries sigma² from honest ones.
 * The noisy integers are divided by `scale` (exact: a power of two) or `countWeight` and only then
 * scored (post-processing of integers that already carry the noise). The
 * linear score of the noisy sums is post-processing: the guarantee holds whatever the model is.
 */
export interface ScoreNoise {
  scale: number;
  /** Integer weight of one row in the count coordinate. */
  countWeight: number;
  sensitivity: number;
  noiseMultiplier: number;
  sigma: number;
  shareVariance: number;
  /** Standard deviation of one segment's decrypted row count, in rows, over `answers` participants. */
  countStd(answers: number): number;
  /** Standard deviation of each of one segment's decrypted feature sums, in raw units, over `answers` participants. */
  featureStd(answers: number): number;
}

export function scoreNoise(privacy: ScorePrivacy, minParticipants: number, encodedFeatures: number): ScoreNoise {
  const k = Math.min(24, Math.max(0, Math.floor(16 - Math.log2(privacy.clip))));
  const scale = 2 ** k;
  const countWeight = Math.max(1, Math.round(scale * privacy.clip));
  const sensitivity = FLOAT_SLACK * Math.hypot(scale * privacy.clip + Math.sqrt(encodedFeatures) / 2, countWeight);
  const noiseMultiplier = queryNoiseMultiplier(privacy);
  const sigma = noiseMultiplier * sensitivity;
  const shareVariance = noiseShareVariance(privacy.mode, sigma * sigma, {
    n: minParticipants,
    survivorFloor: minParticipants,
    dropoutRate: 0,
    corruptFraction: privacy.corruptFraction,
  });
  return {
    scale,
    countWeight,
    sensitivity,
    noiseMultiplier,
    sigma,
    shareVariance,
    countStd: (answers) => Math.sqrt(answers * shareVariance) / countWeight,
    featureStd: (answers) => Math.sqrt(answers * shareVariance) / scale,
  };
}

/** Encoded features of a score spec: one per numeric feature, one per category of a categorical one. */
export const encodedFeaturesOf = (spec: Pick<ScoreSpec, 'features'>): number =>
  spec.features.reduce((n, f) => n + (f.kind === 'categorical' ? (f.categories ?? []).length : 1), 0);

/** A private score job's guarantee as the job view states it, or undefined without privacy. */
export function scorePrivacyViewOf(spec: ScoreSpec, spentEpsilon: number): PrivacyView | undefined {
  const p = spec.privacy;
  if (!p) return undefined;
  const noise = scoreNoise(p, spec.minParticipants, encodedFeaturesOf(spec));
  return {
    mode: p.mode,
    unit: 'record',
    epsilon: p.epsilon,
    delta: p.delta,
    noiseMultiplier: noise.noiseMultiplier,
    spentEpsilon,
    sampling: 'all',
    accountantSampleRate: 1,
    ...(p.mode === 'distributed' ? { survivorFloor: spec.minParticipants } : {}),
    validationSplit: 'none',
    protectsAgainst:
      p.mode === 'distributed'
        ? 'the analyst, and the coordinator, which sees only ciphertexts; each participant clips its rows and adds a ' +
          `noise share sized for minParticipants = ${spec.minParticipants} answers with up to ` +
          `privacy.corruptFraction = ${p.corruptFraction} of them colluding. An analyst colluding with the ` +
          "coordinator can decrypt one participant's totals, which carry only its share: use privacy.mode local"
        : 'the analyst, the coordinator and every other participant: each participant adds the whole noise to its ' +
          'own segment totals',
  };
}
