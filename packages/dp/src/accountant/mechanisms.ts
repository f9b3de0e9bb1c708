/**
 * RDP / zCDP of basic (non-subsampled) additive-noise mechanisms.
 * All RDP functions return epsilon(alpha) for a single release; compose by adding.
 */
import { DEFAULT_ORDERS, resolveOrders } from './orders.js';
import { validateNonNegative, validateOrder, validatePositive } from './errors.js';

/** RDP of the Gaussian mechanism N(0, sigma^2) with L2 sensitivity Δ: alpha Δ² / (2 sigma²). */
export function gaussianRdp(sigma: number, alpha: number, sensitivity = 1): number {
  validatePositive(sigma, 'sigma', 'pass the standard deviation of the Gaussian noise');
  validateNonNegative(sensitivity, 'sensitivity', 'pass the L2 sensitivity of the query');
  validateOrder(alpha, 'order');
  return (alpha * sensitivity * sensitivity) / (2 * sigma * sigma);
}

/** Gaussian RDP over a grid of orders. */
export function gaussianRdpVector(
  sigma: number,
  sensitivity = 1,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  return resolveOrders(orders).map((a) => gaussianRdp(sigma, a, sensitivity));
}

/** zCDP of the Gaussian mechanism: rho = Δ² / (2 sigma²). */
export function gaussianZcdp(sigma: number, sensitivity = 1): number {
  validatePositive(sigma, 'sigma', 'pass the standard deviation of the Gaussian noise');
  validateNonNegative(sensitivity, 'sensitivity', 'pass the L2 sensitivity of the query');
  return (sensitivity * sensitivity) / (2 * sigma * sigma);
}

/**
 * RDP of the discrete Gaussian mechanism N_Z(0, sigma^2) added to an integer-valued query with
 * L2 sensitivity Δ (Canonne, Kamath, Steinke 2020, Theorem 4 / Corollary: ½(Δ/sigma)²-zCDP,
 * i.e. alpha Δ²/(2 sigma²)-RDP, the same as the continuous Gaussian).
 *
 * Caveat: this bound applies to ONE discrete Gaussian noise vector added centrally. A SUM of n
 * independent discrete Gaussians (distributed DP / secure aggregation) is not itself a discrete
 * Gaussian; it needs the extra additive term of Kairouz, Liu, Steinke 2021 ("The Distributed
 * Discrete Gaussian Mechanism"), which is NOT implemented here. Do not use this function for the
 * sum of per-client discrete Gaussian noise.
 */
export function discreteGaussianRdp(sigma: number, alpha: number, sensitivity = 1): number {
  validatePositive(sigma, 'sigma', 'pass the scale parameter of the discrete Gaussian');
  validateNonNegative(sensitivity, 'sensitivity', 'pass the L2 sensitivity of the integer-valued query');
  validateOrder(alpha, 'order');
  return (alpha * sensitivity * sensitivity) / (2 * sigma * sigma);
}

/** zCDP of a single discrete Gaussian release: rho = Δ² / (2 sigma²) (CKS 2020). Same caveat as above. */
export function discreteGaussianZcdp(sigma: number, sensitivity = 1): number {
  validatePositive(sigma, 'sigma', 'pass the scale parameter of the discrete Gaussian');
  validateNonNegative(sensitivity, 'sensitivity', 'pass the L2 sensitivity of the integer-valued query');
  return (sensitivity * sensitivity) / (2 * sigma * sigma);
}

/**
 * RDP of the multi-dimensional Skellam mechanism (noise Sk(mu, mu) = Poisson(mu) - Poisson(mu)
 * per coordinate, variance 2 mu), Agarwal, Kairouz, Liu 2021 ("The Skellam Mechanism for
 * Differentially Private Federated Learning", Theorem 3.5), for integer query with L1 and L2
 * sensitivities Δ1, Δ2:
 *   eps(alpha) = alpha Δ2² / (4 mu) + min( ((2 alpha - 1) Δ2² + 6 Δ1) / (16 mu²), 3 Δ1 / (4 mu) ).
 * The paper states it for integer alpha > 1; we evaluate it at any order > 1 as given.
 * Sums of independent Skellam noises are Skellam (mu adds), so for n clients pass the total mu.
 */
export function skellamRdp(mu: number, alpha: number, l1Sensitivity: number, l2Sensitivity: number): number {
  validatePositive(mu, 'mu', 'pass the Skellam parameter (each coordinate has variance 2 mu)');
  validateNonNegative(l1Sensitivity, 'l1Sensitivity', 'pass the L1 sensitivity of the integer query');
  validateNonNegative(l2Sensitivity, 'l2Sensitivity', 'pass the L2 sensitivity of the integer query');
  validateOrder(alpha, 'order');
  const d2 = l2Sensitivity * l2Sensitivity;
  const base = (alpha * d2) / (4 * mu);
  const extra = Math.min(((2 * alpha - 1) * d2 + 6 * l1Sensitivity) / (16 * mu * mu), (3 * l1Sensitivity) / (4 * mu));
  return base + extra;
}

/** Skellam RDP over a grid of orders. */
export function skellamRdpVector(
  mu: number,
  l1Sensitivity: number,
  l2Sensitivity: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  return resolveOrders(orders).map((a) => skellamRdp(mu, a, l1Sensitivity, l2Sensitivity));
}

/** RDP vector of rho-zCDP: eps(alpha) = alpha rho. */
export function zcdpToRdpVector(rho: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  validateNonNegative(rho, 'rho', 'pass the zCDP parameter');
  return resolveOrders(orders).map((a) => a * rho);
}
