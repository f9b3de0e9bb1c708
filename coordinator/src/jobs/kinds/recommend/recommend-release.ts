// What one secure sum of a recommend job releases and how it decodes: pure, shared by the masked and sealed paths.
import {
  decodeRecommendDp,
  decodeRecommendExact,
  RECOMMEND_WIDE_DIGITS,
  recommendEvaluationLength,
  recommendEvaluationScale,
  recommendNoise,
  recommendNoiseStd,
  recommendUpdateLength,
  type RecommendJobSpec,
  type RecommendNoise,
} from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import { releasePrivacyPlan } from '../../release-privacy-plan.js';

/** A training round's item update, or the leave-last-out evaluation after the last round. */
export type RecommendPhase = 'train' | 'evaluate';

/** One release: its real length, the ring words each participant sends, and its noise under DP. */
export interface RecommendRelease {
  phase: RecommendPhase;
  /** Real values in the summed vector (the item update, or the evaluation vector). */
  length: number;
  /** Ring words per participant: length x 4 (exact wide digits) or length (DP fixed point). */
  dimension: number;
  noise: RecommendNoise | undefined;
}

/** The release of `phase` for a round of `participants` (the noise is sized for them). */
export function recommendRelease(
  spec: RecommendJobSpec,
  phase: RecommendPhase,
  participants: number,
): RecommendRelease {
  const items = spec.catalogue.items.length;
  const length =
    phase === 'train'
      ? recommendUpdateLength(spec.model.algorithm, items, spec.model.k)
      : recommendEvaluationLength(items);
  const noise = recommendNoise(spec, participants, length);
  return { phase, length, dimension: noise ? length : length * RECOMMEND_WIDE_DIGITS, noise };
}

/**
 * The summed vector in real units: the exact wide sum, or the DP sum (the evaluation's divided by the scale each
 * participant multiplied it by, so that it reads as counts again).
 */
export function decodeRelease(
  release: RecommendRelease,
  sum: Uint32Array,
  survivors: number,
  modulus: number,
): Float64Array {
  if (!release.noise) return decodeRecommendExact(sum, survivors, modulus);
  const values = decodeRecommendDp(sum, release.noise, survivors, modulus);
  if (release.phase === 'evaluate') {
    const scale = recommendEvaluationScale(release.noise.clip);
    for (let i = 0; i < values.length; i++) values[i]! /= scale;
  }
  return values;
}

/** The privacy plan every task of a private release announces (participants recompute it from the signed spec). */
export function recommendPrivacyPlan(
  spec: RecommendJobSpec,
  noise: RecommendNoise | undefined,
): tessera.v1.IPrivacyPlan | undefined {
  if (!noise || spec.privacy.mode === 'none') return undefined;
  return releasePrivacyPlan({ ...spec.privacy, mode: spec.privacy.mode }, noise);
}

/**
 * The count above which an item reads as covered: half a list exactly; under DP three standard deviations of the
 * noise on a decoded count (so noise alone marks an item covered with probability about 0.001, and coverage is a
 * slight underestimate: an item in only a few lists may not clear it).
 */
export function coveredThreshold(noise: RecommendNoise | undefined, survivors: number): number {
  if (!noise) return 0.5;
  return Math.max(0.5, (3 * recommendNoiseStd(noise, survivors)) / recommendEvaluationScale(noise.clip));
}
