import type { Random } from '@tessera/crypto';

const TWO_32 = 4294967296;

/**
 * A sampler of P(y) ∝ exp(-|y|/t) on the integers for an integer scale 1 <= t <= 2^31 — the CKS 2020 Algorithm 2
 * construction specialised to integer t (their s = 1), exact, with fair coins taken one bit at a time from 32-bit
 * words:
 *   U uniform in [0, t), kept with probability exp(-U/t) (Algorithm 1: K = first failure of Bernoulli(U/(t·k)), keep
 * iff
 *   K odd); V = number of Bernoulli(exp(-1)) successes before the first failure (Algorithm 1 with gamma = 1, where
 *   Bernoulli(1/1) always succeeds and Bernoulli(1/2) is a fair coin); X = U + t·V; a fair sign, (negative, 0)
 * rejected.
 * Every decision compares uniform integers (rng.int) or takes a uniform bit; no floating point.
 */
export function integerLaplaceSampler(t: number, rng: Random): () => number {
  if (!Number.isInteger(t) || t < 1 || t > 2147483648)
    throw new RangeError(`integer Laplace scale must be an integer in [1, 2^31], got ${t}`);
  let word = 0;
  let bitsLeft = 0;
  const coin = (): number => {
    if (bitsLeft === 0) {
      word = rng.int(TWO_32);
      bitsLeft = 32;
    }
    bitsLeft--;
    const bit = word & 1;
    word >>>= 1;
    return bit;
  };
  /** Bernoulli(exp(-u/t)) for 0 <= u < t. */
  const keep = (u: number): boolean => {
    for (let k = 1; ; k++) {
      const range = t * k;
      const success = range <= TWO_32 ? rng.int(range) < u : keepBig(u, k);
      if (!success) return (k & 1) === 1;
    }
  };
  // range t·k above 2^32: a uniform below t·k as high·t + low (high uniform in [0, k), low in [0, t)) — exact
  const keepBig = (u: number, k: number): boolean => rng.int(k) === 0 && rng.int(t) < u;
  /** Bernoulli(exp(-1)). */
  const expMinusOne = (): boolean => {
    // k = 1: Bernoulli(1) succeeds; k = 2: a coin; k >= 3: Bernoulli(1/k)
    if (coin() === 0) return false; // K = 2, even
    for (let k = 3; ; k++) if (rng.int(k) !== 0) return (k & 1) === 1;
  };
  return () => {
    for (;;) {
      const u = t === 1 ? 0 : rng.int(t);
      if (u !== 0 && !keep(u)) continue;
      let v = 0;
      while (expMinusOne()) v++;
      const x = u + t * v;
      const negative = coin() === 1;
      if (negative && x === 0) continue;
      return negative ? -x : x;
    }
  };
}
