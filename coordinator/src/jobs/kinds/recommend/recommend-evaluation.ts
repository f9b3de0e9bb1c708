// The leave-last-out evaluation of a recommend job's final item model: the result the job reports.
import type { RecommendJobSpec, RecommendNoise } from '@tessera/jobs';
import type { EvaluationCounts } from './recommend-release.js';

/** A recommend job's result (its context's `result.recommend`). */
export interface RecommendResult {
  /** Hit rate at 10 over every evaluated customer of every participant (absent with evaluation.holdOut 'none'). */
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

/** The result from the summed counts; without evaluation (holdOut 'none') it has no metrics. */
export function recommendResult(
  spec: RecommendJobSpec,
  counts: EvaluationCounts | undefined,
  noise: RecommendNoise | undefined,
  coverageThreshold?: number,
): RecommendResult {
  const items = spec.catalogue.items.length;
  return {
    ...(counts ? metricsOf(counts, items) : {}),
    ...(counts && coverageThreshold !== undefined ? { coverageThreshold } : {}),
    rounds: spec.rounds,
    algorithm: spec.model.algorithm,
    k: spec.model.k,
    items,
    ...(noise
      ? {
          privacy: {
            mode: 'distributed' as const,
            unit: 'customer' as const,
            epsilon: noise.epsilon,
            delta: noise.delta,
            noiseMultiplier: noise.noiseMultiplier,
          },
        }
      : {}),
  };
}

function metricsOf([customers, hits, ndcg, covered]: EvaluationCounts, items: number) {
  // Under DP the counts are noisy: the rates are clamped to [0, 1].
  const rate = (x: number) => (customers > 0 ? Math.min(1, Math.max(0, x / customers)) : 0);
  return {
    hr10: rate(hits),
    ndcg10: rate(ndcg),
    coverage: Math.min(1, covered / items),
    customers: Math.max(0, Math.round(customers)),
  };
}

/** The analyst's answer to a sealed evaluation: the four counts, finite and non-negative. */
export function checkedCounts(values: Float64Array): EvaluationCounts {
  if (values.length !== 4 || values.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(
      `the analyst answered the evaluation with ${values.length} value(s) [${[...values].slice(0, 6).join(', ')}]; ` +
        'expected [customers, hits, ndcg, covered items], finite and non-negative',
    );
  return [values[0]!, values[1]!, values[2]!, values[3]!];
}
