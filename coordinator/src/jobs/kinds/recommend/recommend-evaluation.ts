// The leave-last-out evaluation of a recommend job's final item model: the result the job reports.
import type { EvaluationCounts, RecommendJobSpec, RecommendNoise, RecommendResult } from '@tessera/jobs';

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
