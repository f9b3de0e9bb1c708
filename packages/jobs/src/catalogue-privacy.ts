// Customer-level differential privacy of a catalogue job: the noise of its rounds, the threshold an extension must
// clear, and the encoding of a participant's counts with its noise share. Coordinator and participants call these
// same functions; a participant recomputes them from the signed spec and refuses a task announcing another level.
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { decodeFixedPoint, encodeFixedPoint, largestRecordLevel } from '@tessera/fl';
import type { Random } from '@tessera/ml';
import type { CatalogueJobSpec } from './catalogue-spec.js';
import { JobSpecError } from './job-spec-fields.js';
import {
  CATALOGUE_THRESHOLD_SIGMAS,
  catalogueMultiplier,
  catalogueReleases,
  catalogueThresholdFloor,
} from './catalogue-threshold.js';
import { releaseShareVariance, shareSizing } from './release-noise.js';

export { CATALOGUE_THRESHOLD_SIGMAS, catalogueMultiplier, catalogueReleases, catalogueThresholdFloor };

/** Counts per prefix: one per next byte (0..255), then the terminator (the item ends at the prefix). */
export const CATALOGUE_SYMBOLS = 257;
/** The symbol that completes an item. */
export const CATALOGUE_TERMINATOR = 256;
/** The highest fixed-point level: enough steps per vote that every noise share is far above 2 quantisation steps. */
const MAX_LEVEL = 1 << 10;
/** The 32-bit ring every catalogue secure sum runs in. */
const MODULUS = 2 ** 32;

/** The spec fields that size a catalogue job's noise. */
export type CatalogueNoiseSpec = Pick<CatalogueJobSpec, 'privacy' | 'secure' | 'maxItemsPerCustomer' | 'maxLength'>;

/**
 * The noise of one round of a catalogue job, for a round of `participants`.
 *
 * - Unit: one customer, added or removed. A customer votes 0 or 1 for each (prefix, next symbol) of a round (once
 *   however many of its chosen items pass through it), for at most maxItemsPerCustomer of them: its vote vector has
 *   L2 norm at most sqrt(maxItemsPerCustomer), the sensitivity. Votes are integers, encoded exactly at `level` ring
 *   steps each (no rounding), so the ring sum moves by at most level x sqrt(maxItemsPerCustomer).
 * - Noise: discrete Gaussian of variance totalVariance = (z level sqrt(maxItemsPerCustomer))^2 on every count of the
 *   sum, carried by noise shares of `shareVariance` (totalVariance / (m - c), rounded up; m the survivor floor, c the
 *   colluders tolerated), as recommend-privacy.ts does (both size them in release-noise.ts).
 * - Accounting: every customer is in every round (sample rate 1); `releases` = maxLength + 1 rounds at most (the job
 *   may stop earlier, and is charged for the rounds it runs); z is the smallest multiplier for which that many
 *   Gaussian releases compose to (privacy.epsilon, privacy.delta) under the RDP accountant; `epsilon` is what the
 *   accountant gives at that z. The Kairouz-Liu-Steinke term of summed discrete Gaussian shares is left out.
 * - Level: the largest (at most 1024) at which participants x privacy.maxCustomers votes per count and 12 standard
 *   deviations of every share fit the centred 32-bit ring.
 */
export interface CatalogueNoise {
  noiseMultiplier: number;
  releases: number;
  level: number;
  /** sqrt(maxItemsPerCustomer): one customer's L2 bound in votes. */
  sensitivity: number;
  totalVariance: number;
  shareVariance: number;
  minSurvivors: number;
  epsilon: number;
  delta: number;
  calibration: 'rdp';
}

/** The noise of every round of a catalogue job in a round of `participants` (see CatalogueNoise). */
export function catalogueNoise(spec: CatalogueNoiseSpec, participants: number): CatalogueNoise {
  if (!(Number.isInteger(participants) && participants >= 1))
    throw new RangeError(`a catalogue round has a positive whole number of participants, got ${participants}`);
  const { z, epsilon } = catalogueMultiplier(spec);
  const { sizing, minSurvivors, spread } = shareSizing(participants, spec.secure);
  const sensitivity = Math.sqrt(spec.maxItemsPerCustomer);
  const votes = participants * spec.privacy.maxCustomers;
  const level = Math.min(
    MAX_LEVEL,
    largestRecordLevel(votes, MODULUS, { perLevel: spread * z * sensitivity, fixed: 0 }),
  );
  if (level < 1)
    throw new JobSpecError(
      'privacy.maxCustomers',
      `${participants} participants x ${spec.privacy.maxCustomers} customers each do not fit the 32-bit ring ` +
        "with the noise; lower privacy.maxCustomers to the largest merchant's customer count",
    );
  const totalVariance = (z * level * sensitivity) ** 2;
  const shareVariance = releaseShareVariance(totalVariance, sizing);
  return {
    noiseMultiplier: z,
    releases: catalogueReleases(spec),
    level,
    sensitivity,
    totalVariance,
    shareVariance,
    minSurvivors,
    epsilon,
    delta: spec.privacy.delta,
    calibration: 'rdp',
  };
}

/** The noise standard deviation, in customers, of every count of a sum of `survivors` shares. */
export const catalogueNoiseStd = (noise: CatalogueNoise, survivors: number): number =>
  Math.sqrt(noise.shareVariance * survivors) / noise.level;

/**
 * The noisy count an extension must reach to survive a round of `survivors` shares: spec.threshold when given, else
 * max(2, 1 + 6 sigma) with sigma the noise of that sum (every share in it): a count of one customer clears it with
 * probability below 1e-9, so a rare item a single customer bought is not released (and noise alone, a count of 0,
 * clears it with less still). The threshold is post-processing: the guarantee is the noise's, whatever it is.
 */
export function catalogueThreshold(
  spec: Pick<CatalogueJobSpec, 'threshold'>,
  noise: CatalogueNoise,
  survivors: number,
): number {
  if (spec.threshold !== undefined) return spec.threshold;
  return Math.max(2, 1 + CATALOGUE_THRESHOLD_SIGMAS * catalogueNoiseStd(noise, survivors));
}

/**
 * One participant's counts for a private secure sum: each count (customers, at most maxCustomers) at `noise.level`
 * ring steps, plus this participant's discrete Gaussian share on every coordinate. `rng` must be a CSPRNG
 * (systemRandom()): the noise protects the customers.
 */
export function encodeCatalogueCounts(
  counts: ArrayLike<number>,
  noise: CatalogueNoise,
  maxCustomers: number,
  modulus: number,
  rng: Random,
): Uint32Array {
  const values = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!; // i < counts.length
    if (!Number.isInteger(c) || c < 0 || c > maxCustomers)
      throw new RangeError(
        `catalogue count ${i} = ${c} is not a whole number of customers within privacy.maxCustomers ${maxCustomers}`,
      );
    values[i] = c;
  }
  const words = encodeFixedPoint(values, noise.level, modulus, rng); // whole counts: no rounding
  addDiscreteGaussianNoise(words, BigInt(noise.shareVariance), modulus, rng);
  return words;
}

/** The noisy counts of a sum of `survivors` encodings; fewer than noise.minSurvivors carry too little noise. */
export function decodeCatalogueSum(
  sum: Uint32Array,
  noise: CatalogueNoise,
  survivors: number,
  modulus: number,
): Float64Array {
  if (survivors < noise.minSurvivors)
    throw new RangeError(
      `a catalogue sum of ${survivors} contributions has less noise than the guarantee needs; ` +
        `at least ${noise.minSurvivors} must contribute`,
    );
  if (sum.length % CATALOGUE_SYMBOLS !== 0)
    throw new RangeError(`a catalogue sum holds prefixes x ${CATALOGUE_SYMBOLS} counts; it has ${sum.length}`);
  return decodeFixedPoint(sum, noise.level, modulus);
}
