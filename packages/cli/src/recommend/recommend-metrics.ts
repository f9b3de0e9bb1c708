// The held-out metrics a completed recommend job reports in its result.
import type { RecommendModelMetrics } from './model-file.js';

/** The metrics of a completed recommend job's `result: {recommend: {...}}`, when it reported them. */
export function recommendMetricsOf(result: unknown): RecommendModelMetrics | undefined {
  const r = (result as { recommend?: Record<string, unknown> } | undefined)?.recommend;
  if (!r) return undefined;
  const { hr10, ndcg10, coverage, customers } = r;
  if (typeof hr10 !== 'number' || typeof ndcg10 !== 'number' || typeof coverage !== 'number') return undefined;
  return { hr10, ndcg10, coverage, customers: typeof customers === 'number' ? customers : 0 };
}

/** The line that reports them. */
export function heldOutLine(m: RecommendModelMetrics): string {
  return (
    `held-out evaluation (leave-last-out, ${m.customers} customers): HR@10 ${m.hr10.toFixed(4)}, ` +
    `NDCG@10 ${m.ndcg10.toFixed(4)}, coverage ${m.coverage.toFixed(4)}`
  );
}
