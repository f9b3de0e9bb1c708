import { randomFrom } from '@tessera/crypto';
import { CachedGame, checkPlayers, grandCoalition, type Game } from './game.js';
import { samplePermutations } from './permutation-sampling.js';
import { checkOption, checkSamplingOptions, type SamplingOptions } from './sampling-options.js';

/**
 * GTG-Shapley options; both thresholds are absolute utility differences (the paper's epsilon), so the defaults suit
 * utilities such as accuracy in [0, 1]. `tolerance` (TMC's relative rule) is not used: withinRoundTolerance replaces
 * it.
 */
export interface GtgOptions extends SamplingOptions {
  /** Skip a round (all its values 0) when |U_t(N) - U_t(∅)| <= this; default 0.001. */
  betweenRoundTolerance?: number;
  /** Stop a permutation once |U_t(N) - U_t(prefix)| <= this; default 0.001. */
  withinRoundTolerance?: number;
}

/** A valuation summed over federated rounds. */
export interface RoundValuation {
  values: number[];
  /** Distinct coalitions evaluated over all rounds (each one is a model evaluation). */
  evaluations: number;
  /** Permutations sampled over all rounds. */
  permutations: number;
  /** Rounds skipped by between-round truncation. */
  roundsSkipped: number;
}

export const DEFAULT_ROUND_TOLERANCE = 0.001;

/** Throws unless every round is a game over the same number of players (at least one round). */
export function checkRounds(rounds: readonly Game[]): number {
  const [first] = rounds;
  if (first === undefined) throw new RangeError("rounds must hold at least one round's game");
  const n = first.players;
  checkPlayers(n);
  rounds.forEach((r, t) => {
    if (r.players !== n)
      throw new RangeError(
        `rounds[${t}] has ${r.players} players where rounds[0] has ${n}: every round must value the same players`,
      );
  });
  return n;
}

/**
 * GTG-Shapley (Liu, Chen, Yang, Li, Yu and Yang 2022, ACM TIST): per-round Shapley values of federated participants,
 * estimated from models rebuilt from round t's updates, with between-round truncation, within-round truncation and
 * guided sampling (the k-th permutation of a round starts with player k mod n); the values are summed over rounds.
 */
export function gtgShapley(rounds: readonly Game[], options: GtgOptions = {}): RoundValuation {
  const n = checkRounds(rounds);
  checkSamplingOptions(options);
  checkOption(
    'betweenRoundTolerance',
    options.betweenRoundTolerance,
    (v) => Number.isFinite(v) && v >= 0,
    'a non-negative number',
  );
  checkOption(
    'withinRoundTolerance',
    options.withinRoundTolerance,
    (v) => Number.isFinite(v) && v >= 0,
    'a non-negative number',
  );
  const between = options.betweenRoundTolerance ?? DEFAULT_ROUND_TOLERANCE;
  const within = options.withinRoundTolerance ?? DEFAULT_ROUND_TOLERANCE;
  const random = randomFrom(options.seed);
  const values = new Array<number>(n).fill(0);
  let evaluations = 0,
    permutations = 0,
    roundsSkipped = 0;
  for (const round of rounds) {
    const game = new CachedGame(round);
    if (Math.abs(game.utility(grandCoalition(n)) - game.utility(0)) <= between) {
      roundsSkipped++;
    } else {
      const r = samplePermutations(
        game,
        {
          truncated: (prefixUtility, total) => Math.abs(total - prefixUtility) <= within,
          first: (k) => k % n,
        },
        options,
        random,
      );
      r.values.forEach((v, i) => {
        values[i]! += v;
      }); // one value per player
      permutations += r.permutations;
    }
    evaluations += game.evaluations;
  }
  return { values, evaluations, permutations, roundsSkipped };
}
