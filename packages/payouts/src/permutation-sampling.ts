import { randomFrom, type Random } from '@tessera/crypto';
import { grandCoalition, type Game } from './game.js';
import {
  DEFAULT_CONVERGENCE,
  DEFAULT_MAX_PERMUTATIONS,
  DEFAULT_WINDOW,
  type SamplingOptions,
} from './sampling-options.js';

/** How one game is sampled: the truncation rule and, optionally, the player each permutation starts with. */
export interface PermutationPlan {
  /** True when a prefix's utility is close enough to U(N) that the remaining marginals count as 0. */
  truncated(prefixUtility: number, total: number): boolean;
  /** The player the k-th permutation (k = 0, 1, ...) must start with, or undefined for a uniform permutation. */
  first?(k: number): number;
}

/**
 * Normalised L1 change Σ|a_i - b_i| / Σ|a_i|: the mean absolute relative change of the estimates,
 * weighted by their magnitude (so a value near zero cannot dominate). 0 when both are all zero.
 */
export function relativeChange(current: readonly number[], earlier: readonly number[]): number {
  if (earlier.length !== current.length) {
    throw new RangeError(`relativeChange: ${current.length} current estimates against ${earlier.length} earlier ones`);
  }
  let change = 0,
    size = 0;
  for (let i = 0; i < current.length; i++) {
    const c = current[i]!; // i < current.length = earlier.length
    change += Math.abs(c - earlier[i]!);
    size += Math.abs(c);
  }
  if (change === 0) return 0;
  return size === 0 ? Infinity : change / size;
}

/** A random order of 0..n-1, starting with `first` when given. */
export function permutation(n: number, random: Random, first?: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (first === undefined) {
    random.shuffle(order);
    return order;
  }
  if (!Number.isInteger(first) || first < 0 || first >= n) {
    throw new RangeError(`the first player ${first} is not in 0..${n - 1}`);
  }
  [order[0], order[first]] = [first, 0]; // order is still the identity here
  const rest = order.slice(1);
  random.shuffle(rest);
  return [first, ...rest];
}

/**
 * Running mean of truncated permutation marginals: the Monte Carlo core of TMC and GTG-Shapley.
 * Stops after `maxPermutations` or once the estimates moved by less than `convergence` over the last `window`
 * permutations
 * (checked from permutation max(2·window, n) on, so every guided start is tried before stopping).
 */
export function samplePermutations(
  game: Game,
  plan: PermutationPlan,
  options: SamplingOptions,
  random: Random = randomFrom(options.seed),
): { values: number[]; permutations: number } {
  const n = game.players;
  const maxPermutations = options.maxPermutations ?? DEFAULT_MAX_PERMUTATIONS;
  const convergence = options.convergence ?? DEFAULT_CONVERGENCE;
  const window = options.window ?? DEFAULT_WINDOW;
  const empty = game.utility(0);
  const total = game.utility(grandCoalition(n));
  const values = new Array<number>(n).fill(0);
  const history: number[][] = [];
  let t = 0;
  while (t < maxPermutations) {
    const order = permutation(n, random, plan.first?.(t));
    t++;
    let prefix = 0,
      before = empty;
    for (const player of order) {
      let marginal = 0;
      if (!plan.truncated(before, total)) {
        prefix |= 1 << player;
        const after = game.utility(prefix);
        marginal = after - before;
        before = after;
      }
      values[player]! += (marginal - values[player]!) / t; // order is a permutation of 0..n-1
    }
    history.push(values.slice());
    if (history.length > window + 1) history.shift();
    const oldest = history[0]!; // the line above pushed one
    if (t >= Math.max(2 * window, n) && relativeChange(values, oldest) < convergence) break;
  }
  return { values, permutations: t };
}
