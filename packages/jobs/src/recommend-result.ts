// What a completed recommend job reports (its context's `result.recommend`): the coordinator writes it, the analyst's
// client reads it.

/** A recommend job's result; the metrics are absent with evaluation.holdOut 'none'. */
export interface RecommendResult {
  /** Hit rate at 10 over every evaluated customer of every participant (their held-out items). */
  hr10?: number;
  /** Mean NDCG at 10. */
  ndcg10?: number;
  /**
   * The share of catalogue items in at least one customer's top 10; under DP, of items whose noisy count of top-10
   * lists clears `coverageThreshold` (three noise standard deviations), an underestimate.
   */
  coverage?: number;
  /** Under DP: the noisy count an item's top-10 lists had to clear to count as covered. */
  coverageThreshold?: number;
  /** Customers evaluated (those with a held-out item). */
  customers?: number;
  rounds: number;
  algorithm: 'als' | 'bpr';
  k: number;
  items: number;
  /** Under customer-level DP: the whole job's guarantee (every round and the evaluation). */
  privacy?: { mode: 'distributed'; unit: 'customer'; epsilon: number; delta: number; noiseMultiplier: number };
}
