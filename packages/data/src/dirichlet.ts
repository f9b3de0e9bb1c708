import type { Random } from '@tessera/crypto';

/**
 * The logarithm of a Gamma(shape, 1) sample (Marsaglia-Tsang; shapes below 1 via the boost
 * Gamma(a) = Gamma(a + 1) * U^(1/a)). Kept in logs so tiny shapes do not underflow to 0.
 */
export function logGammaSample(shape: number, rng: Random): number {
  if (!(shape > 0 && Number.isFinite(shape))) throw new RangeError(`Gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    const u = 1 - rng.float();
    return logGammaSample(shape + 1, rng) + Math.log(u) / shape;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.gaussian();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.float();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return Math.log(d * v);
    }
  }
}

/** Proportions over `k` parts drawn from a symmetric Dirichlet(alpha); they sum to 1. */
export function dirichletSample(alpha: number, k: number, rng: Random): Float64Array {
  const logs = Float64Array.from({ length: k }, () => logGammaSample(alpha, rng));
  const max = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}
