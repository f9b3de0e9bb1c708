import { CachedGame, checkPlayers, type Game } from './game.js';
import { samplePermutations } from './permutation-sampling.js';
import {
  checkSamplingOptions,
  DEFAULT_TOLERANCE,
  type SampledValuation,
  type SamplingOptions,
} from './sampling-options.js';

export type { SampledValuation, SamplingOptions } from './sampling-options.js';

/**
 * Truncated Monte Carlo Shapley (Ghorbani and Zou 2019, "Data Shapley"): the mean marginal over sampled permutations,
 * where a permutation stops (later marginals count 0) once |U(N) - U(prefix)| <= tolerance·|U(N)|.
 */
export function tmcShapley(game: Game, options: SamplingOptions = {}): SampledValuation {
  checkPlayers(game.players);
  checkSamplingOptions(options);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const cached = new CachedGame(game);
  const { values, permutations } = samplePermutations(
    cached,
    {
      truncated: (prefixUtility, total) => Math.abs(total - prefixUtility) <= tolerance * Math.abs(total),
    },
    options,
  );
  return { values, evaluations: cached.evaluations, permutations };
}
