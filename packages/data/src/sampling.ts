import type { Random } from '@tessera/crypto';

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** An index drawn with probability proportional to `weights`. */
export function pickWeighted(weights: ArrayLike<number>, rng: Random): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let u = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** The number of successes in `trials` independent draws with probability `p`. */
export function binomial(trials: number, p: number, rng: Random): number {
  let successes = 0;
  for (let i = 0; i < trials; i++) if (rng.float() < p) successes++;
  return successes;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
