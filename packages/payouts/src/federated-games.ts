import type { Game } from './game.js';

/** One training round as valuation sees it: the model it started from and each player's update and weight. */
export interface RoundUpdates {
  start: Float64Array;
  /** Per player; undefined for a player that did not train in this round. */
  updates: readonly (Float64Array | undefined)[];
  weights: readonly number[];
}

/** The next global model from the round's start and a coalition's weighted update sum (the job's strategy). */
export type Aggregate = (
  round: number,
  start: Float64Array,
  weightedSum: Float64Array,
  totalWeight: number,
) => Float64Array;

/**
 * The per-round games of multi-round reconstruction (Song et al. 2019; GTG-Shapley): the utility of
 * coalition S in round t is the validation utility of the model the strategy would have produced from
 * round t's start with only S's updates. The empty coalition (and a coalition none of whose members
 * trained) keeps the start model.
 */
export function federatedRoundGames(
  rounds: readonly RoundUpdates[],
  aggregate: Aggregate,
  utility: (model: Float64Array) => number,
): Game[] {
  return rounds.map((r, t) => {
    const players = r.updates.length;
    if (r.weights.length !== players)
      throw new RangeError(`round ${t}: ${players} updates but ${r.weights.length} weights`);
    r.updates.forEach((u, i) => {
      if (u && u.length !== r.start.length) {
        const sizes = `${u.length} values, the start model ${r.start.length}`;
        throw new RangeError(`round ${t}: the update of player ${i} has ${sizes}`);
      }
    });
    return {
      players,
      utility(coalition: number): number {
        const sum = new Float64Array(r.start.length);
        let total = 0;
        for (let i = 0; i < players; i++) {
          const u = r.updates[i];
          if (!(coalition & (1 << i)) || !u) continue;
          const w = r.weights[i]!; // one weight per update, checked above
          for (let k = 0; k < sum.length; k++) sum[k]! += w * u[k]!; // u.length === sum.length, checked above
          total += w;
        }
        return utility(total > 0 ? aggregate(t, r.start, sum, total) : r.start);
      },
    };
  });
}
