/**
 * Conversions from Rényi DP and zero-concentrated DP to (epsilon, delta)-DP.
 *
 * RDP -> (eps, delta): the improved conversion of Canonne, Kamath, Steinke 2020 (Prop. 12) /
 * Balle et al. 2020 (Thm. 21): an (alpha, r)-RDP mechanism is (eps, delta)-DP for
 *   eps = r + log((alpha - 1) / alpha) - (log delta + log alpha) / (alpha - 1),
 * minimised over the order grid. Orders in (1, 1.01] are skipped for numerical stability (as in
 * TensorFlow Privacy); when delta^2 >= 1 - exp(-r) the KL/total-variation bound gives eps = 0.
 *
 * zCDP -> (eps, delta): Canonne, Kamath, Steinke 2020 (Prop. 12 / Cor. 13): rho-zCDP implies
 * (eps, delta)-DP with
 *   delta = inf_{alpha > 1} exp((alpha - 1)(alpha rho - eps)) / (alpha - 1) * (1 - 1/alpha)^alpha.
 */
import { resolveOrders } from './orders.js';
import { validateDelta, validateNonNegative, validateRdpVector } from './errors.js';

/** Result of an RDP -> (eps, delta) conversion: the bound and the order that achieved it. */
export interface EpsilonResult {
  epsilon: number;
  order: number;
}

/** Result of an RDP -> delta conversion at fixed epsilon. */
export interface DeltaResult {
  delta: number;
  order: number;
}

const MIN_CONVERSION_ORDER = 1.01;

/** Smallest epsilon such that the RDP curve `rdp` (one value per order) gives (epsilon, delta)-DP. */
export function epsilonFor(rdp: readonly number[], orders: readonly number[], delta: number): EpsilonResult {
  const grid = resolveOrders(orders);
  validateRdpVector(rdp, grid);
  validateDelta(delta);
  const logDelta = Math.log(delta);
  // resolveOrders refuses an empty grid and validateRdpVector checked one rdp entry per order.
  let best = Infinity;
  let bestOrder = grid[0]!;
  for (let k = 0; k < grid.length; k++) {
    const a = grid[k]!;
    const r = rdp[k]!;
    let eps: number;
    if (r === Infinity) eps = Infinity;
    else if (delta * delta + Math.expm1(-r) >= 0) eps = 0;
    else if (a > MIN_CONVERSION_ORDER) eps = r + Math.log1p(-1 / a) - (logDelta + Math.log(a)) / (a - 1);
    else eps = Infinity;
    if (eps < best) {
      best = eps;
      bestOrder = a;
    }
  }
  return { epsilon: Math.max(0, best), order: bestOrder };
}

/** Smallest delta such that the RDP curve gives (epsilon, delta)-DP (inverse of `epsilonFor`). */
export function deltaFor(rdp: readonly number[], orders: readonly number[], epsilon: number): DeltaResult {
  const grid = resolveOrders(orders);
  validateRdpVector(rdp, grid);
  validateNonNegative(epsilon, 'epsilon', 'pass the target epsilon (>= 0)');
  // resolveOrders refuses an empty grid and validateRdpVector checked one rdp entry per order.
  let best = Infinity;
  let bestOrder = grid[0]!;
  for (let k = 0; k < grid.length; k++) {
    const a = grid[k]!;
    const r = rdp[k]!;
    // KL / total-variation bound: delta <= sqrt(1 - exp(-r)).
    let logDelta = r === 0 ? -Infinity : 0.5 * Math.log(-Math.expm1(-r));
    if (a > MIN_CONVERSION_ORDER && r !== Infinity) {
      const bound = (a - 1) * (r - epsilon + Math.log1p(-1 / a)) - Math.log(a);
      logDelta = Math.min(logDelta, bound);
    }
    if (logDelta < best) {
      best = logDelta;
      bestOrder = a;
    }
  }
  return { delta: Math.min(1, Math.exp(best)), order: bestOrder };
}

/**
 * log delta(alpha) for rho-zCDP at epsilon, with t = alpha - 1:
 *   t ((1 + t) rho - eps) + t log t - (1 + t) log(1 + t).
 */
function zcdpLogDeltaAt(rho: number, epsilon: number, t: number): number {
  return t * ((1 + t) * rho - epsilon) + t * Math.log(t) - (1 + t) * Math.log1p(t);
}

/**
 * delta for which rho-zCDP implies (epsilon, delta)-DP (CKS 2020 exact conversion), capped at 1.
 * The objective is convex in alpha; its derivative (2 alpha - 1) rho - eps + log(1 - 1/alpha)
 * is increasing, so the optimum is found by bisection on log(alpha - 1).
 */
export function zcdpDelta(rho: number, epsilon: number): number {
  validateNonNegative(rho, 'rho', 'pass the zCDP parameter (rho >= 0)');
  validateNonNegative(epsilon, 'epsilon', 'pass the target epsilon (>= 0)');
  if (rho === 0) return 0;
  const deriv = (t: number): number => (1 + 2 * t) * rho - epsilon + Math.log(t / (1 + t));
  // Bracket the root in u = log t.
  let lo = -700;
  let hi = Math.log(Math.max(1, (epsilon / rho + 1) / 2) + 1);
  while (deriv(Math.exp(hi)) < 0) hi += 1;
  if (deriv(Math.exp(lo)) > 0) return Math.min(1, Math.exp(zcdpLogDeltaAt(rho, epsilon, Math.exp(lo))));
  for (let iter = 0; iter < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); iter++) {
    const mid = 0.5 * (lo + hi);
    if (deriv(Math.exp(mid)) < 0) lo = mid;
    else hi = mid;
  }
  const t = Math.exp(0.5 * (lo + hi));
  return Math.min(1, Math.exp(zcdpLogDeltaAt(rho, epsilon, t)));
}

/**
 * Smallest epsilon such that rho-zCDP implies (epsilon, delta)-DP, by bisection on `zcdpDelta`
 * (which is decreasing in epsilon). The returned value is on the safe side (delta(eps) <= delta).
 */
export function zcdpEpsilon(rho: number, delta: number): number {
  validateNonNegative(rho, 'rho', 'pass the zCDP parameter (rho >= 0)');
  validateDelta(delta);
  if (rho === 0 || zcdpDelta(rho, 0) <= delta) return 0;
  let lo = 0;
  // Classic bound rho + 2 sqrt(rho log(1/delta)) is always sufficient.
  let hi = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
  while (zcdpDelta(rho, hi) > delta) hi *= 2;
  for (let iter = 0; iter < 200 && hi - lo > 1e-15 * hi; iter++) {
    const mid = 0.5 * (lo + hi);
    if (zcdpDelta(rho, mid) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}
