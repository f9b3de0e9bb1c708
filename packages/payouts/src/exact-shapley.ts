import { checkPlayers, type Game } from './game.js';

/** The largest game exactShapley accepts: 2^24 utilities. */
export const MAX_EXACT_PLAYERS = 24;

/** weights[k] = k!(n-k-1)!/n! = 1/(n·C(n-1,k)), the weight of a marginal to a coalition of size k. */
export function shapleyWeights(n: number): Float64Array {
  const weights = new Float64Array(n);
  let binomial = 1; // C(n-1, k)
  for (let k = 0; k < n; k++) {
    weights[k] = 1 / (n * binomial);
    binomial = (binomial * (n - 1 - k)) / (k + 1);
  }
  return weights;
}

/** Number of set bits of a mask. */
export function popcount(mask: number): number {
  let m = mask - ((mask >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (((m + (m >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Exact Shapley values by the subset formula; evaluates each of the 2^n coalitions once (n <= 24). */
export function exactShapley(game: Game): number[] {
  const n = game.players;
  checkPlayers(n, MAX_EXACT_PLAYERS);
  const size = 2 ** n;
  const u = new Float64Array(size);
  for (let s = 0; s < size; s++) u[s] = game.utility(s);
  // marginals are summed per coalition size first and weighted once, which keeps integer games exact where possible
  const bySize = Array.from({ length: n }, () => new Float64Array(n));
  // s < 2^n - 1 has popcount < n, s | bit < 2^n, and i < n: every index below is in range.
  for (let s = 0; s < size - 1; s++) {
    const sums = bySize[popcount(s)]!;
    const us = u[s]!;
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      if ((s & bit) === 0) sums[i]! += u[s | bit]! - us;
    }
  }
  const weights = shapleyWeights(n); // one weight per coalition size 0..n-1
  return Array.from({ length: n }, (_, i) => bySize.reduce((a, sums, k) => a + weights[k]! * sums[i]!, 0));
}
