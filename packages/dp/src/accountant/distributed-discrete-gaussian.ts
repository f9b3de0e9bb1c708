/**
 * Privacy of the SUM of n independent discrete Gaussians (distributed DP with secure aggregation):
 * Kairouz, Liu, Steinke 2021, "The Distributed Discrete Gaussian Mechanism for Federated Learning with Secure
 * Aggregation" (ICML 2021; arXiv:2102.06387, Proposition 14 / Eq. 17 and Theorem 1).
 *
 * Setting: each of n participants adds independent N_Z(0, sigma^2)^d to its integer vector; only the sum is released,
 * so the noise is Z = Z_1 + ... + Z_n (not itself a discrete Gaussian). For sigma >= 1/2, integer x, y with
 * ||x - y||_2 <= Δ2 and ||x - y||_1 <= Δ1, every order alpha >= 1:
 *
 *   D_alpha(x + Z || y + Z) <= min( alpha Δ2²/(2 n sigma²) + tau d,
 *                                   (alpha/2) (Δ2²/(n sigma²) + 2 Δ1 tau/(sqrt(n) sigma) + tau² d),
 *                                   (alpha/2) (Δ2/(sqrt(n) sigma) + tau sqrt(d))² ),
 *   tau = 10 · sum_{k=1}^{n-1} exp(-2 pi² sigma² k/(k+1)).
 *
 * The zCDP parameter follows because alpha >= 1 makes tau d <= alpha tau d:
 *   rho = min( Δ2²/(2 n sigma²) + tau d,  ½(Δ2²/(n sigma²) + 2 Δ1 tau/(sqrt(n) sigma) + tau² d),  ½(Δ2/(sqrt(n) sigma)
 * + tau sqrt(d))² ),
 * i.e. ½eps²-zCDP with eps = min( sqrt(Δ2²/(n sigma²) + 2 tau d), Δ2/(sqrt(n) sigma) + tau sqrt(d) ) when Δ1 is not
 * given.
 * Note: a form with "+ ½ tau d" under the first square root is sometimes quoted for Theorem 1; it is smaller than the
 * bound above and does not follow from the RDP bound at orders alpha < 4, so the conservative form is used here.
 * The L1 term is optional (Δ1 <= sqrt(d) Δ2 always, so omitting it only drops a bound that can be tighter).
 * For sigma >= 2, tau < 10 n e^{-4 pi²} ~ 7e-17 n: the bound is the continuous Gaussian one, Δ2²/(2 n sigma²).
 */
import { DEFAULT_ORDERS, resolveOrders } from './orders.js';
import { PrivacyParameterError, validateNonNegative, validateOrder, validatePositive } from './errors.js';

export interface DistributedDiscreteGaussianParams {
  /** n: number of participants, each adding independent N_Z(0, sigma^2) per coordinate (integer >= 1). */
  participants: number;
  /** sigma: each participant's discrete Gaussian scale (standard deviation parameter), >= 1/2. */
  sigma: number;
  /** d: the dimension (number of coordinates) of the summed vector. */
  dimension: number;
  /** Δ2: the L2 sensitivity of the integer-valued sum (one participant's contribution). */
  l2Sensitivity: number;
  /** Δ1 (optional): the L1 sensitivity; enables the middle bound of Proposition 14. */
  l1Sensitivity?: number;
}

function validate(p: DistributedDiscreteGaussianParams): void {
  if (!Number.isInteger(p.participants) || p.participants < 1) {
    throw new PrivacyParameterError(
      'participants',
      `participants must be an integer >= 1 (got ${p.participants}); pass the number of clients whose noise is summed`,
    );
  }
  validatePositive(p.sigma, 'sigma', "pass each participant's discrete Gaussian scale");
  if (p.sigma < 0.5) {
    throw new PrivacyParameterError(
      'sigma',
      `sigma must be >= 1/2 for the Kairouz-Liu-Steinke bound (got ${p.sigma}); ` +
        'use more noise or a finer discretisation',
    );
  }
  if (!Number.isInteger(p.dimension) || p.dimension < 1) {
    throw new PrivacyParameterError(
      'dimension',
      `dimension must be an integer >= 1 (got ${p.dimension}); pass the number of coordinates`,
    );
  }
  validateNonNegative(p.l2Sensitivity, 'l2Sensitivity', 'pass the L2 sensitivity of the integer-valued sum');
  if (p.l1Sensitivity !== undefined)
    validateNonNegative(p.l1Sensitivity, 'l1Sensitivity', 'pass the L1 sensitivity or omit it');
}

/** tau = 10 · sum_{k=1}^{n-1} exp(-2 pi² sigma² k/(k+1)), the extra term for a sum of n discrete Gaussians. */
export function distributedDiscreteGaussianTau(participants: number, sigma: number): number {
  if (!Number.isInteger(participants) || participants < 1) {
    throw new PrivacyParameterError('participants', `participants must be an integer >= 1 (got ${participants})`);
  }
  validatePositive(sigma, 'sigma');
  const c = 2 * Math.PI * Math.PI * sigma * sigma;
  if (c / 2 > 745) return 0; // every term underflows: exp(-c·k/(k+1)) <= exp(-c/2) < 5e-324
  let sum = 0;
  for (let k = 1; k < participants; k++) sum += Math.exp((-c * k) / (k + 1));
  return 10 * sum;
}

/** The three Proposition 14 coefficients: RDP(alpha) = min(alpha·a + b, alpha·m, alpha·c). */
function bounds(p: DistributedDiscreteGaussianParams): { a: number; b: number; m: number; c: number; tau: number } {
  validate(p);
  const { participants: n, sigma, dimension: d, l2Sensitivity: l2 } = p;
  const tau = distributedDiscreteGaussianTau(n, sigma);
  const scale = Math.sqrt(n) * sigma;
  const a = (l2 * l2) / (2 * n * sigma * sigma);
  const b = tau * d;
  const c = 0.5 * (l2 / scale + tau * Math.sqrt(d)) ** 2;
  const m =
    p.l1Sensitivity === undefined
      ? Infinity
      : 0.5 * ((l2 * l2) / (n * sigma * sigma) + (2 * p.l1Sensitivity * tau) / scale + tau * tau * d);
  return { a, b, m, c, tau };
}

/** rho-zCDP of the released sum (rho = eps²/2), with tau for reference. */
export function distributedDiscreteGaussianZcdp(params: DistributedDiscreteGaussianParams): {
  rho: number;
  epsilon: number;
  tau: number;
} {
  const { a, b, m, c, tau } = bounds(params);
  const rho = Math.min(a + b, m, c);
  return { rho, epsilon: Math.sqrt(2 * rho), tau };
}

/** RDP at one order alpha > 1 (Proposition 14 directly; never above alpha·rho). */
export function distributedDiscreteGaussianRdp(params: DistributedDiscreteGaussianParams, alpha: number): number {
  validateOrder(alpha, 'order');
  const { a, b, m, c } = bounds(params);
  return Math.min(alpha * a + b, alpha * m, alpha * c);
}

/** RDP over a grid of orders, for RdpAccountant.compose (one release; pass a count to compose for rounds). */
export function distributedDiscreteGaussianRdpVector(
  params: DistributedDiscreteGaussianParams,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  const { a, b, m, c } = bounds(params);
  return resolveOrders(orders).map((alpha) => Math.min(alpha * a + b, alpha * m, alpha * c));
}
