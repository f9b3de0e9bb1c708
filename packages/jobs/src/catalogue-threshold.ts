// How much noise a catalogue job's rounds carry, from its spec's numbers alone: the spec parser (for the threshold
// floor) and catalogue-privacy.ts (for the rounds' noise) both read it, so neither imports the other.
import { releaseMultiplier } from './release-noise.js';

/** The fields of a catalogue spec the calibration reads. */
interface CalibratedSpec {
  maxLength: number;
  maxItemsPerCustomer: number;
  privacy: { epsilon: number; delta: number };
}

/**
 * Standard deviations of noise a lone customer's vote (a true count of 1) must climb to reach the default threshold:
 * P(N(0, 1) >= 6) = 9.9e-10, so a single customer's item clears one round's threshold with probability below 1e-9.
 */
export const CATALOGUE_THRESHOLD_SIGMAS = 6;

/** Rounds a catalogue job's budget covers: one per byte of the longest id, and one for its terminator. */
export const catalogueReleases = (spec: Pick<CalibratedSpec, 'maxLength'>): number => spec.maxLength + 1;

/** z for the job's releases at (epsilon, delta), and the epsilon the accountant gives at that z. */
export function catalogueMultiplier(spec: Pick<CalibratedSpec, 'maxLength' | 'privacy'>): {
  z: number;
  epsilon: number;
} {
  return releaseMultiplier(spec.privacy.epsilon, spec.privacy.delta, catalogueReleases(spec));
}

/**
 * The least threshold a spec may fix: 1 + 6 z sqrt(maxItemsPerCustomer). Every round's sum carries at least the
 * calibrated noise, z sqrt(maxItemsPerCustomer) customers (its honest shares alone, colluders' taken out), so a lone
 * customer's count clears this with probability below 1e-9, as it does the default (which counts every share).
 */
export function catalogueThresholdFloor(spec: CalibratedSpec): {
  floor: number;
  z: number;
} {
  const { z } = catalogueMultiplier(spec);
  return { floor: Math.max(2, 1 + CATALOGUE_THRESHOLD_SIGMAS * z * Math.sqrt(spec.maxItemsPerCustomer)), z };
}
