// Customer-level differential privacy of a recommend job: the noise multiplier for the whole job, the fixed-point
// level and the noise shares of each release, and the DP encoding. Coordinator, participants and analyst call these
// same functions; a participant recomputes them from the signed spec and refuses a task announcing another level.
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { decodeFixedPoint, encodeFixedPoint, fixedPointSensitivity, largestRecordLevel } from '@tessera/fl';
import type { Random } from '@tessera/ml';
import { JobSpecError } from './job-spec-fields.js';
import type { RecommendJobSpec } from './recommend-spec.js';
import { releaseMultiplier, releaseShareVariance, shareSizing } from './release-noise.js';

/** The spec fields that size a recommend job's noise. */
export type RecommendNoiseSpec = Pick<RecommendJobSpec, 'privacy' | 'rounds' | 'evaluation' | 'secure'> & {
  model: Pick<RecommendJobSpec['model'], 'algorithm' | 'k' | 'lambda'>;
};

/**
 * The noise of one release of a private recommend job (a training round's summed item update, or the evaluation
 * sums), for a round of `participants`.
 *
 * - Unit: one customer, added or removed. Each customer's part of a merchant's vector is clipped to L2 <= `clip` (the
 *   library's clip option; the evaluation vector is scaled by recommendEvaluationScale), and every vector is divided
 *   by `clip` before encoding, so one customer moves the real sum by at most 1 and the fixed-point sum by at most
 *   `level` + sqrt(length) (the stochastic rounding's overshoot): the L2 sensitivity the noise is sized to.
 * - Noise: discrete Gaussian of variance `totalVariance` = (z (level + sqrt(length)))^2 on every coordinate of the
 *   sum, carried by noise shares: each participant adds `shareVariance` = totalVariance / (m - c) (rounded up), m =
 *   `minSurvivors` the survivor floor at secure.dropoutRate, c the colluders tolerated at secure.corruptFraction, so
 *   any released sum (at least m shares) less the colluders' keeps at least totalVariance.
 * - Accounting, for the whole job: every customer is in every release (sample rate 1), `releases` = rounds, plus one
 *   when evaluation.holdOut is 'last'. z is the smallest noise multiplier for which `releases` Gaussian releases
 *   compose to (privacy.epsilon, privacy.delta) under the RDP accountant (jobEpsilon); `epsilon` is what the
 *   accountant gives for exactly these releases at this z (at most privacy.epsilon, within 1e-6 relative of it). It
 *   covers the item models of every round, the final one and the evaluation result together; the customer factors
 *   never leave the merchant. The accounting leaves out the Kairouz-Liu-Steinke term of summed discrete Gaussian
 *   shares (negligible for shares of standard deviation >= 2 quantisation steps, which noiseShareVariance enforces).
 * - Level: the largest fixed-point level (at most 2^24) at which `participants` x privacy.maxCustomers clipped
 *   customers, every participant's rounding, and 12 standard deviations of the noise the sum can carry (every
 *   participant's share, none dropped) fit the centred 32-bit ring: the sum cannot wrap.
 */
export interface RecommendNoise {
  /** z: the noise standard deviation over the L2 sensitivity, the same for every release of the job. */
  noiseMultiplier: number;
  /** Gaussian releases the job's budget covers: rounds, plus one for the evaluation (holdOut 'last'). */
  releases: number;
  /** Integer steps per unit of (value / clip): one customer's clipped contribution maps to at most `level`. */
  level: number;
  /** privacy.clip: vectors are divided by it before encoding and multiplied by it after decoding. */
  clip: number;
  /** The vector length this release was sized for. */
  length: number;
  /** Noise variance of the sum in fixed-point units: (z x (level + sqrt(length)))^2. */
  totalVariance: number;
  /** The integer variance each participant adds to every coordinate of its vector. */
  shareVariance: number;
  /** The survivor floor m: a round with fewer contributors must not be released. */
  minSurvivors: number;
  /** Epsilon the RDP accountant gives for all `releases` at this z and `delta` (the whole job's guarantee). */
  epsilon: number;
  delta: number;
  /** How z was calibrated: the RDP accountant's conversion, composed over every release. */
  calibration: 'rdp';
}

/** The 32-bit ring every recommend secure sum runs in. */
const MODULUS = 2 ** 32;
/** Fewer fixed-point steps per clipped customer than this make the quantisation rival the signal: refused. */
export const RECOMMEND_MIN_DP_LEVEL = 16;

/** Releases a recommend job makes: one per round, and the evaluation's when it holds out each customer's last item. */
export const recommendReleases = (spec: Pick<RecommendJobSpec, 'rounds' | 'evaluation'>): number =>
  spec.rounds + (spec.evaluation.holdOut === 'last' ? 1 : 0);

/**
 * The noise of a release of `length` values in a round of `participants` (see RecommendNoise), or undefined
 * without differential privacy (privacy.mode 'none': the exact encoding of recommend-encoding.ts applies).
 */
export function recommendNoise(
  spec: RecommendNoiseSpec,
  participants: number,
  length: number,
): RecommendNoise | undefined {
  const p = spec.privacy;
  if (p.mode === 'none') return undefined;
  if (!(Number.isInteger(participants) && participants >= 1))
    throw new RangeError(`a recommend round has a positive whole number of participants, got ${participants}`);
  if (!(Number.isInteger(length) && length >= 1))
    throw new RangeError(`a recommend release has a positive whole number of values, got ${length}`);
  const releases = recommendReleases(spec);
  const { z, epsilon } = releaseMultiplier(p.epsilon, p.delta, releases);
  // The sum carries every participant's share when none drops out: n / (m - c) times the target variance.
  const { sizing, minSurvivors, spread } = shareSizing(participants, spec.secure);
  const customers = participants * p.maxCustomers;
  const room = MODULUS / 2 - 1 - participants; // each participant's stochastic rounding adds at most 1 a coordinate
  let level = Math.min(
    2 ** 24,
    largestRecordLevel(customers, 2 * room + 2, {
      perLevel: spread * z,
      fixed: spread * z * Math.sqrt(length),
    }),
  );
  const worst = (l: number) => customers * l + 12 * spread * z * fixedPointSensitivity(l, 1, length);
  while (level > 0 && worst(level) > room) level--; // float slack of the closed form
  if (level < RECOMMEND_MIN_DP_LEVEL)
    throw new JobSpecError(
      'privacy.maxCustomers',
      `${participants} participants x ${p.maxCustomers} customers each leave ${Math.max(level, 0)} fixed-point ` +
        `steps per customer in the 32-bit ring (at least ${RECOMMEND_MIN_DP_LEVEL} needed); lower ` +
        "privacy.maxCustomers to the largest merchant's customer count, or run with fewer participants",
    );
  const sigma = z * fixedPointSensitivity(level, 1, length);
  const totalVariance = sigma * sigma;
  const shareVariance = releaseShareVariance(totalVariance, sizing);
  const noise: RecommendNoise = {
    noiseMultiplier: z,
    releases,
    level,
    clip: p.clip,
    length,
    totalVariance,
    shareVariance,
    minSurvivors,
    epsilon,
    delta: p.delta,
    calibration: 'rdp',
  };
  if (spec.model.algorithm === 'als') {
    const floor = alsLambdaFloor(noise, spec.model.k, participants);
    if (spec.model.lambda < floor)
      throw new JobSpecError(
        'model.lambda',
        `${spec.model.lambda} is below ${floor.toPrecision(3)}, under which noise of standard deviation ` +
          `${recommendNoiseStd(noise, participants).toPrecision(3)} (privacy.clip ${p.clip} x z ` +
          `${z.toPrecision(3)}) can make ALS's summed normal equations indefinite; raise model.lambda (about 60 x ` +
          'privacy.clip measured best: clip 0.05, lambda 3) or lower privacy.clip',
      );
  }
  return noise;
}

/**
 * The smallest ALS lambda a private job accepts: twice the expected spectral norm, 2 sqrt(2) s sqrt(k + 1), of the
 * noise an item's system G + D_i + lambda I gets from its two noisy packed matrices (each entry of standard deviation
 * s, every participant's share in). Below it a negative eigenvalue is likely in some item and round, and the
 * coordinator's Cholesky solve fails; on the synthetic federation runs failed at lambda up to 1.07 times the norm and
 * none failed from 1.18 times (packages/recommend/test/dp-quality.slow.test.ts).
 */
export function alsLambdaFloor(noise: RecommendNoise, k: number, participants: number): number {
  return 2 * 2 * Math.SQRT2 * recommendNoiseStd(noise, participants) * Math.sqrt(k + 1);
}

/**
 * One participant's vector (each customer's part already clipped to `noise.clip` in L2) for a private secure sum:
 * divided by clip, at `noise.level` steps per unit with unbiased stochastic rounding, plus this participant's
 * discrete Gaussian share of variance `noise.shareVariance` on every coordinate. `rng` must be a CSPRNG
 * (systemRandom()): the rounding and the noise protect the customers. A value beyond what maxCustomers clipped
 * customers can add is refused (the encoding would not leave the sum room).
 */
export function encodeRecommendDp(
  values: ArrayLike<number>,
  noise: RecommendNoise,
  modulus: number,
  rng: Random,
): Uint32Array {
  if (values.length !== noise.length)
    throw new RangeError(
      `a recommend release of ${noise.length} values was sized for; this vector has ${values.length}`,
    );
  const scaled = new Float64Array(values.length);
  const limit = noise.level > 0 ? (MODULUS / 2 - 1) / noise.level : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! / noise.clip; // i < values.length
    if (!Number.isFinite(v) || Math.abs(v) > limit)
      throw new RangeError(
        `recommend update value ${i} = ${values[i]} is not finite or beyond what clipped customers can add ` +
          `(clip ${noise.clip}); clip each customer's part to privacy.clip`,
      );
    scaled[i] = v;
  }
  const words = encodeFixedPoint(scaled, noise.level, modulus, rng);
  if (noise.shareVariance > 0) addDiscreteGaussianNoise(words, BigInt(noise.shareVariance), modulus, rng);
  return words;
}

/**
 * The noisy secure sum of `survivors` DP encodings back in real units (the sum of the clipped vectors plus noise of
 * standard deviation recommendNoiseStd(noise, survivors) on every value). A sum of fewer than `noise.minSurvivors`
 * contributions carries too little noise and is refused.
 */
export function decodeRecommendDp(
  sum: Uint32Array,
  noise: RecommendNoise,
  survivors: number,
  modulus: number,
): Float64Array {
  if (survivors < noise.minSurvivors)
    throw new RangeError(
      `a private recommend sum of ${survivors} contributions has less noise than the guarantee needs; ` +
        `at least ${noise.minSurvivors} must contribute`,
    );
  if (sum.length !== noise.length)
    throw new RangeError(`a recommend release of ${noise.length} values was sized for; the sum has ${sum.length}`);
  const out = decodeFixedPoint(sum, noise.level, modulus);
  for (let i = 0; i < out.length; i++) out[i]! *= noise.clip;
  return out;
}

/** The noise standard deviation of every decoded value (real units) of a sum of `survivors` shares. */
export const recommendNoiseStd = (noise: RecommendNoise, survivors: number): number =>
  (Math.sqrt(noise.shareVariance * survivors) / noise.level) * noise.clip;

/**
 * Each customer's L2 bound in the evaluation vector: customers evaluated (1), hits@10 (at most 1), NDCG (at most 1)
 * and ten ones over the items (its top-10 list), so sqrt(13).
 */
export const RECOMMEND_EVALUATION_BOUND = Math.sqrt(13);

/**
 * The factor a participant multiplies its whole evaluation vector by before encodeRecommendDp, clip / sqrt(13), so
 * that each customer's part is within L2 `clip` as in a training round; the coordinator divides the decoded sum by
 * it to read counts again (customers, hits, NDCG sum, per-item counts, each with noise std
 * recommendNoiseStd / scale).
 */
export const recommendEvaluationScale = (clip: number): number => clip / RECOMMEND_EVALUATION_BOUND;
