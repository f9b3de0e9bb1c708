/**
 * Noise calibration: the analytic Gaussian mechanism (Balle & Wang 2018) and the smallest
 * DP-SGD noise multiplier meeting an (epsilon, delta) target under the RDP accountant.
 */
import { DEFAULT_ORDERS, resolveOrders } from './orders.js';
import { epsilonFor } from './conversion.js';
import { subsampledGaussianRdp } from './subsampled-gaussian.js';
import { logNormalCdf, logSub } from './log-math.js';
import {
  PrivacyParameterError,
  validateDelta,
  validateEpsilon,
  validateNonNegative,
  validatePositive,
  validateSampleRate,
  validateSteps,
} from './errors.js';

/**
 * Exact delta of the Gaussian mechanism N(0, sigma^2) with L2 sensitivity Δ at epsilon
 * (Balle & Wang 2018, Theorem 8):
 *   delta = Phi(Δ/(2 sigma) - eps sigma/Δ) - e^eps Phi(-Δ/(2 sigma) - eps sigma/Δ),
 * computed in log space.
 */
export function gaussianDelta(sigma: number, epsilon: number, sensitivity = 1): number {
  validatePositive(sigma, 'sigma', 'pass the noise standard deviation');
  validateNonNegative(epsilon, 'epsilon', 'pass epsilon >= 0');
  validatePositive(sensitivity, 'sensitivity', 'pass the L2 sensitivity (> 0)');
  return Math.exp(logGaussianDelta(sigma, epsilon, sensitivity));
}

function logGaussianDelta(sigma: number, epsilon: number, sensitivity: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  const l1 = logNormalCdf(a - b);
  const l2 = epsilon + logNormalCdf(-a - b);
  if (l2 >= l1) return -Infinity; // only through rounding in the extreme tail
  return logSub(l1, l2);
}

/**
 * Smallest sigma such that the Gaussian mechanism with L2 sensitivity Δ is (epsilon, delta)-DP,
 * exactly (Balle & Wang 2018, analytic Gaussian mechanism). Solved by bisection on log sigma
 * of the exact CDF condition (the delta of the mechanism is decreasing in sigma), to ~1e-15
 * relative precision, then rounded up by a 1e-12 relative margin so that the returned sigma is on
 * the safe side despite float64 rounding (e.g. eps 0.1, delta 1e-6 -> 36.30469042623186; true root
 * 36.3046904261957849...).
 */
export function analyticGaussianSigma(epsilon: number, delta: number, sensitivity = 1): number {
  validateEpsilon(epsilon);
  validateDelta(delta);
  validatePositive(sensitivity, 'sensitivity', 'pass the L2 sensitivity of the query (> 0)');
  const logTarget = Math.log(delta);
  const tooLittleNoise = (s: number): boolean => logGaussianDelta(s, epsilon, sensitivity) > logTarget;
  // Bracket in units of sensitivity, starting from the classical sigma = sqrt(2 ln(1.25/delta))/eps.
  let hi = Math.max(1e-3, Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon) * sensitivity;
  let lo = hi;
  while (tooLittleNoise(hi)) hi *= 2;
  while (!tooLittleNoise(lo)) {
    lo /= 2;
    if (lo < 1e-300) return lo;
  }
  let uLo = Math.log(lo);
  let uHi = Math.log(hi);
  for (let iter = 0; iter < 300 && uHi - uLo > 2e-16; iter++) {
    const mid = 0.5 * (uLo + uHi);
    if (mid <= uLo || mid >= uHi) break;
    if (tooLittleNoise(Math.exp(mid))) uLo = mid;
    else uHi = mid;
  }
  // The CDF condition is evaluated in float64 (erfc ~3e-15 relative, then a cancelling
  // difference); a 1e-12 relative margin keeps the returned sigma on the safe side of the true root.
  return Math.exp(uHi) * (1 + SIGMA_SAFETY_MARGIN);
}

const SIGMA_SAFETY_MARGIN = 1e-12;

export interface NoiseMultiplierOptions {
  /** Target epsilon (> 0). */
  epsilon: number;
  /** Target delta in (0, 1). */
  delta: number;
  /** Poisson sampling rate q in (0, 1]. */
  sampleRate: number;
  /** Number of steps (positive integer). */
  steps: number;
  /** Rényi orders; default DEFAULT_ORDERS. */
  orders?: readonly number[];
  /** Upper end of the search bracket (default 1000). */
  maxNoiseMultiplier?: number;
  /** Relative precision of the result (default 1e-9). */
  tolerance?: number;
}

/** Epsilon of `steps` Poisson-subsampled Gaussian steps at noise multiplier sigma. */
function dpSgdEpsilon(sigma: number, q: number, steps: number, orders: readonly number[], delta: number): number {
  const rdp = orders.map((a) => steps * subsampledGaussianRdp(sigma, q, a));
  return epsilonFor(rdp, orders, delta).epsilon;
}

/**
 * Smallest noise multiplier sigma (to relative `tolerance`, rounded up) such that `steps` steps
 * of the Poisson-subsampled Gaussian at rate `sampleRate` are (epsilon, delta)-DP under the RDP
 * accountant over `orders`. Throws a PrivacyParameterError if even `maxNoiseMultiplier` does
 * not reach epsilon.
 */
export function noiseMultiplierFor(options: NoiseMultiplierOptions): number {
  const { epsilon, delta, sampleRate, steps } = options;
  validateEpsilon(epsilon);
  validateDelta(delta);
  validateSampleRate(sampleRate);
  validateSteps(steps);
  const orders = resolveOrders(options.orders ?? DEFAULT_ORDERS);
  const maxSigma = options.maxNoiseMultiplier ?? 1000;
  validatePositive(maxSigma, 'maxNoiseMultiplier', 'pass the largest noise multiplier to consider, e.g. 1000');
  const tol = options.tolerance ?? 1e-9;
  validatePositive(tol, 'tolerance', 'pass a relative precision such as 1e-9');

  const epsAt = (s: number): number => dpSgdEpsilon(s, sampleRate, steps, orders, delta);
  const epsMax = epsAt(maxSigma);
  if (!(epsMax <= epsilon)) {
    throw new PrivacyParameterError(
      'epsilon',
      `epsilon=${epsilon} cannot be reached: even noise multiplier ${maxSigma} gives epsilon=${epsMax} ` +
        `(delta=${delta}, sampleRate=${sampleRate}, steps=${steps}, largest order ${Math.max(...orders)}). ` +
        'Increase epsilon (or delta), reduce steps or sampleRate, add larger orders, or raise maxNoiseMultiplier.',
    );
  }
  let hi = maxSigma;
  let lo = maxSigma;
  // Walk down geometrically to bracket the crossing.
  do {
    hi = lo;
    lo = lo / 2;
    if (lo < 1e-6) return hi; // essentially no noise needed for this epsilon
  } while (epsAt(lo) <= epsilon);
  while ((hi - lo) / hi > tol) {
    const mid = 0.5 * (lo + hi);
    if (epsAt(mid) <= epsilon) hi = mid;
    else lo = mid;
  }
  return hi;
}
