/**
 * RDP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019,
 * "Rényi Differential Privacy of the Sampled Gaussian Mechanism"), add/remove adjacency.
 *
 * For order alpha, RDP = log(A_alpha) / (alpha - 1) where A_alpha = E_{z~mu0}[(mu(z)/mu0(z))^alpha],
 * mu0 = N(0, sigma^2), mu = (1-q) mu0 + q N(1, sigma^2).
 *  - integer alpha: exact binomial expansion
 *      A = sum_{i=0}^{alpha} C(alpha,i) (1-q)^{alpha-i} q^i exp((i^2 - i) / (2 sigma^2));
 *  - fractional alpha: the exact two-series expansion (Section 3.3 of the paper), summed until
 *    the terms drop below exp(-40) (if that needs more than 200k terms, which only happens
 *    for large sigma with large q, the integer order ceil(alpha) is used as an upper bound).
 * Everything is evaluated in log space.
 */
import { logAdd, logSub, logErfc } from './log-math.js';
import { DEFAULT_ORDERS, resolveOrders } from './orders.js';
import { validateNonNegative, validateOrder, validateSampleRateInclusive, validateSteps } from './errors.js';

/** log A_alpha for integer alpha (exact binomial expansion). */
function logAInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const inv2s2 = 1 / (2 * sigma * sigma);
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, 0)
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) * inv2s2;
    logA = logAdd(logA, s);
  }
  return logA;
}

/**
 * Stop the fractional series once both terms are below exp(-40) ~ 4e-18. A_alpha >= 1, so this is
 * below double precision of the sum (TF Privacy stops at exp(-30), which can under-state the RDP
 * by ~1e-9 relative at small q; we prefer the tighter, more conservative cut-off).
 */
const FRAC_SERIES_LOG_CUTOFF = -40;

/**
 * Cap on the number of terms of the fractional series. With large sigma AND large q the terms
 * decay only polynomially (~ i^-(alpha+2)), so the series can need millions of terms; past the cap
 * we fall back to the (conservative) integer order ceil(alpha), since RDP is non-decreasing in alpha.
 */
const FRAC_SERIES_MAX_TERMS = 200_000;

/** log A_alpha for fractional alpha (two convergent series with Gaussian tail weights); null if the cap is hit. */
function logAFrac(q: number, sigma: number, alpha: number): number | null {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const sqrt2Sigma = Math.SQRT2 * sigma;
  const logHalf = Math.log(0.5);
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logAbsCoef = 0; // log |binom(alpha, i)|
  let coefSign = 1;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const factor = (alpha - i + 1) / i;
      logAbsCoef += Math.log(Math.abs(factor));
      if (factor < 0) coefSign = -coefSign;
    }
    const j = alpha - i;
    const logT0 = logAbsCoef + i * logQ + j * log1mQ;
    const logT1 = logAbsCoef + j * logQ + i * log1mQ;
    const logE0 = logHalf + logErfc((i - z0) / sqrt2Sigma);
    const logE1 = logHalf + logErfc((z0 - j) / sqrt2Sigma);
    const logS0 = logT0 + (i * i - i) * inv2s2 + logE0;
    const logS1 = logT1 + (j * j - j) * inv2s2 + logE1;
    if (coefSign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < FRAC_SERIES_LOG_CUTOFF) break;
    if (i >= FRAC_SERIES_MAX_TERMS) return null;
  }
  return logAdd(logA0, logA1);
}

/**
 * RDP epsilon(alpha) of ONE step of the Poisson-subsampled Gaussian mechanism with noise
 * multiplier `sigma` (noise std / L2 sensitivity) and sampling rate `q`.
 * q = 0 gives 0; q = 1 gives alpha / (2 sigma^2); sigma = 0 (with q > 0) gives Infinity.
 */
export function subsampledGaussianRdp(sigma: number, q: number, alpha: number): number {
  validateNonNegative(sigma, 'sigma', 'pass the noise multiplier (noise std / L2 sensitivity)');
  validateSampleRateInclusive(q, 'sampleRate');
  validateOrder(alpha, 'order');
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (Number.isInteger(alpha)) return Math.max(0, logAInt(q, sigma, alpha) / (alpha - 1));
  const logA = logAFrac(q, sigma, alpha);
  if (logA !== null) return Math.max(0, logA / (alpha - 1));
  // Series too long (large sigma and large q): RDP is non-decreasing in the order, so the next
  // integer order is a valid, slightly conservative upper bound.
  const up = Math.ceil(alpha);
  return Math.max(0, logAInt(q, sigma, up) / (up - 1));
}

/**
 * RDP vector (one value per order) of `steps` compositions of the subsampled Gaussian.
 */
export function subsampledGaussianRdpVector(
  sigma: number,
  q: number,
  steps: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  validateSteps(steps, 'steps');
  const grid = resolveOrders(orders);
  return grid.map((a) => steps * subsampledGaussianRdp(sigma, q, a));
}
