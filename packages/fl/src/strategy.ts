export type ConfigValue = number | string | boolean;

/** Who trains in a round, and the local settings sent to each of them. */
export interface FitPlan {
  participants: string[];
  config: Record<string, ConfigValue>;
}

/** Σ wᵢ·deltaᵢ and Σ wᵢ over the participants whose updates were streamed into the sum. */
export interface SummedUpdates {
  weightedSum: Float64Array;
  totalWeight: number;
  contributors: number;
}

/**
 * A stateful strategy's server-side optimiser state (FedAvgM's velocity, FedAdam's m and v) as named plain
 * vectors, so that it survives JSON. `{}` is the state before the first aggregated round.
 */
export type StrategyState = Record<string, number[]>;

export interface EvaluationReport {
  participant: string;
  numExamples: number;
  metrics: Record<string, number>;
}

/**
 * A federated learning strategy in the style of Flower, adapted to streaming aggregation: the coordinator
 * never holds the participants' updates side by side, so aggregateFit receives their weighted sum.
 * Participants send deltas (local weights minus the global weights they started from).
 */
export interface Strategy {
  readonly name: string;
  /** Which available participants train in this round and with which local settings. */
  configureFit(round: number, available: readonly string[]): FitPlan;
  /** Weight of one participant's delta in the streamed sum (FedAvg: its example count). */
  contributionWeight(numExamples: number): number;
  /** The next global model from the current one and the summed, weighted deltas. */
  aggregateFit(round: number, global: Float64Array, summed: SummedUpdates): Float64Array;
  /** Example-weighted mean of each metric (skip NaN values per metric, e.g. AUC of a one-class participant). */
  aggregateEvaluate(round: number, reports: readonly EvaluationReport[]): Record<string, number>;
  /**
   * Stateful strategies only: a copy of the optimiser state after the last aggregateFit. A coordinator that
   * persists it with each round's global model and, after a restart, builds the strategy from the same options
   * and calls restore, gets the same next models as if it had never stopped.
   */
  state?(): StrategyState;
  /** Replaces the optimiser state with a copy of `state` (as returned by state()); throws, naming the key, if bad. */
  restore?(state: StrategyState): void;
}
