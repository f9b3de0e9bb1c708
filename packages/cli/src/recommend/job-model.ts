// A recommend job's result as a recommend model file: the signed spec's fields and the final item model vector.
import { parseRecommendSpec } from '@tessera/jobs';
import { itemsFromModelVector } from '@tessera/recommend';
import { recommendModelFile, type RecommendModelFile } from './model-file.js';
import { recommendMetricsOf } from './recommend-metrics.js';

/** What `job result` has of a recommend job: its view (spec, result) and the item model vector it fetched. */
export interface RecommendJobResult {
  job: { id: string; name: string; spec: Record<string, unknown>; result?: unknown };
  round: number;
  /** itemModelVector(items) (BPR's optimiser state may follow; it is dropped). */
  weights: Float64Array;
}

export function recommendModelFileFromJob(r: RecommendJobResult): RecommendModelFile {
  const spec = parseRecommendSpec(r.job.spec);
  const { items: catalogue } = spec.catalogue;
  let items: ReturnType<typeof itemsFromModelVector>;
  try {
    items = itemsFromModelVector(r.weights, catalogue.length, spec.model.k);
  } catch (e) {
    throw new Error(`job ${r.job.id}'s item model does not fit its spec: ${(e as Error).message}`);
  }
  const metrics = recommendMetricsOf(r.job.result);
  const { algorithm, k, lambda, alpha, itemRate } = spec.model;
  return recommendModelFile({
    job: { id: r.job.id, name: r.job.name, round: r.round },
    name: spec.name,
    model: { algorithm, k, lambda, ...(algorithm === 'als' ? { alpha } : { itemRate }) },
    columns: spec.columns,
    catalogue,
    items: { k: items.k, count: items.count, factors: items.factors, biases: items.biases },
    ...(metrics ? { metrics } : {}),
  });
}
