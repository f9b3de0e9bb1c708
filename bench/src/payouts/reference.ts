// How far a valuation is from the reference values, and the stratified Monte Carlo reference used
// where exact Shapley is too costly (payouts benchmark).
import { seededRandom } from '@tessera/ml';
import { CachedGame, type Game } from '@tessera/payouts';
import { secondsSince } from '../stats.js';
import type { ErrorToReference } from './report.js';

export function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

export function ranks(v: readonly number[]): number[] {
  // average ranks, 1 = largest value
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const r = new Array<number>(v.length);
  let first = 0;
  for (const [last, [x]] of order.entries()) {
    if (order[last + 1]?.[0] === x) continue; // the run of ties goes on
    // positions first..last hold equal values: they share the mean of their ranks
    for (const [, i] of order.slice(first, last + 1)) r[i] = (first + last) / 2 + 1;
    first = last + 1;
  }
  return r;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a),
    rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0,
    da = 0,
    db = 0;
  for (const [i, x] of ra.entries()) {
    const y = rb[i]!; // errorTo checked that a and b are equally long
    num += (x - mean) * (y - mean);
    da += (x - mean) ** 2;
    db += (y - mean) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : Number.NaN;
}

export function errorTo(values: readonly number[], reference: readonly number[]): ErrorToReference {
  if (values.length !== reference.length)
    throw new RangeError(`${values.length} values to compare with a reference of ${reference.length}`);
  const diff = values.map((v, i) => v - reference[i]!);
  const l1 = reference.reduce((s, x) => s + Math.abs(x), 0);
  return {
    relativeL2: norm(diff) / norm(reference),
    maxAbsOverL1: Math.max(...diff.map(Math.abs)) / l1,
    spearman: spearman(values, reference),
  };
}

/** Masks of every k-subset of `items`. */
function subsetsOfSize(items: readonly number[], k: number): number[] {
  const out: number[] = [];
  const walk = (from: number, left: number, mask: number) => {
    if (left === 0) {
      out.push(mask);
      return;
    }
    // j < items.length, as left >= 1 here
    for (let j = from; j <= items.length - left; j++) walk(j + 1, left - 1, mask | (1 << items[j]!));
  };
  walk(0, k, 0);
  return out;
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let j = 1; j <= k; j++) b = (b * (n - k + j)) / j;
  return Math.round(b);
}

/**
 * Stratified Monte Carlo Shapley (Maleki et al. 2013; Castro et al. 2017): the Shapley value of i is the mean over
 * coalition sizes k = 0..n-1 of the mean marginal U(S + i) - U(S) over the k-subsets S of the others. A stratum with
 * at most `perStratum` subsets is enumerated exactly; a larger one is estimated from `perStratum` uniform k-subsets.
 * Unbiased; the error comes only from the sampled strata, where marginals are small (coalitions are large or
 * mid-sized),
 * so at equal cost it is far more precise than permutation sampling on these games. Standard error per player: the
 * sampled strata's sample variances over the draws, summed in quadrature over strata and rounds.
 */
export function stratifiedReference(
  rounds: readonly Game[],
  perStratum: number,
  seed: string,
): { values: number[]; stdErr: number[]; evaluations: number; seconds: number } {
  const t0 = performance.now();
  const first = rounds[0];
  if (!first) throw new RangeError('the stratified reference needs at least one round');
  const n = first.players;
  const random = seededRandom(seed);
  const values = new Array<number>(n).fill(0);
  const variance = new Array<number>(n).fill(0);
  let evaluations = 0;
  for (const round of rounds) {
    const game = new CachedGame(round);
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      for (let k = 0; k < n; k++) {
        let sum = 0,
          sumSquares = 0,
          count = 0;
        const add = (s: number) => {
          const m = game.utility(s | bit) - game.utility(s);
          sum += m;
          sumSquares += m * m;
          count++;
        };
        if (binomial(n - 1, k) <= perStratum) {
          for (const s of subsetsOfSize(others, k)) add(s);
          values[i]! += sum / count / n; // values and variance hold one entry per player
        } else {
          const pool = others.slice();
          for (let r = 0; r < perStratum; r++) {
            let s = 0;
            for (let j = 0; j < k; j++) {
              // a partial Fisher-Yates shuffle: j <= pick < pool.length
              const pick = j + random.int(pool.length - j);
              [pool[j], pool[pick]] = [pool[pick]!, pool[j]!];
              s |= 1 << pool[j]!;
            }
            add(s);
          }
          const mean = sum / count;
          values[i]! += mean / n;
          variance[i]! += Math.max(0, (sumSquares - count * mean * mean) / (count - 1)) / count / (n * n);
        }
      }
    }
    evaluations += game.evaluations;
  }
  return { values, stdErr: variance.map(Math.sqrt), evaluations, seconds: secondsSince(t0) };
}
