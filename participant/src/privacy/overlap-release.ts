// The noisy release of an overlap count: discrete Laplace noise, its scale, and its cost for the privacy ledger.
import { systemRandom, type Random } from '@tessera/crypto';
import { DEFAULT_ORDERS, discreteLaplaceSampler, type Rational } from '@tessera/dp';
import type { OverlapSpec } from '@tessera/jobs';
import type { PrivacyPlan } from './privacy-plan.js';

/** Epsilon is rounded down to a multiple of 1/RESOLUTION before the noise is drawn (more noise, never less). */
const RESOLUTION = 1_000_000n;

/**
 * The discrete Laplace scale t for `epsilon` (P(x) ∝ exp(-|x|/t)), exactly RESOLUTION / floor(epsilon ·
 * RESOLUTION) >= 1/epsilon. An identifier added to or removed from either set moves the intersection count by
 * at most 1, so this noise makes the released count epsilon-differentially private (pure, delta 0).
 */
export function overlapNoiseScale(epsilon: number): Rational {
  const steps = BigInt(Math.floor(epsilon * Number(RESOLUTION)));
  if (!(Number.isFinite(epsilon) && steps >= 1n))
    throw new RangeError(`an overlap's epsilon must be at least 1e-6, got ${epsilon}`);
  return { num: RESOLUTION, den: steps };
}

/** The noise's variance, 2p / (1 - p)^2 with p = exp(-1/t) (for the job view and the tests). */
export function overlapNoiseVariance(epsilon: number): number {
  const s = overlapNoiseScale(epsilon);
  const p = Math.exp(-Number(s.den) / Number(s.num));
  return (2 * p) / (1 - p) ** 2;
}

/**
 * The count to release: the exact count plus one discrete Laplace draw (exact integer sampling, node:crypto
 * randomness), then clamped at 0 (post-processing, which costs no privacy).
 */
export function noisyOverlap(exact: number, epsilon: number, rng: Random = systemRandom()): number {
  if (!Number.isSafeInteger(exact) || exact < 0) throw new RangeError(`an overlap count is a natural number: ${exact}`);
  const noise = discreteLaplaceSampler(overlapNoiseScale(epsilon), rng)();
  return Math.max(0, exact + noise);
}

/**
 * The ledger charge of one noisy count: (epsilon, 0) for basic composition, and the RDP curve of a pure
 * epsilon-DP release, min(epsilon, alpha epsilon^2 / 2) at each order (epsilon-DP implies epsilon^2/2-zCDP, Bun and
 * Steinke 2016, Proposition 3.3), so that it composes with the node's other releases.
 */
export function overlapCharge(epsilon: number): { rdp: number[]; approx: { epsilon: number; delta: number } } {
  return {
    rdp: DEFAULT_ORDERS.map((alpha) => Math.min(epsilon, (alpha * epsilon * epsilon) / 2)),
    approx: { epsilon, delta: 0 },
  };
}

/**
 * The plan an overlap's release is charged at, from its spec: one release (record level: one identifier) at the
 * spec's epsilon and delta 0; `noiseMultiplier` records the noise scale 1/epsilon.
 */
export function overlapPlanOf(spec: OverlapSpec): PrivacyPlan {
  const { epsilon } = spec.privacy;
  return {
    mode: 'central',
    unit: 'record',
    noiseMultiplier: 1 / epsilon,
    sampleRate: 1,
    rounds: 0,
    fullReleases: 1,
    epsilon,
    delta: 0,
  };
}
