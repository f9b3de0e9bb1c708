import { parseRecommendSpec, type RecommendResult } from '@tessera/jobs';
import { itemsFromModelVector, type ItemFactors } from '@tessera/recommend';
import { sealedSpec, type AnalystClient, type JobView } from '../analyst.js';
import type { AnalystKeys } from '../sealed/analyst-keys.js';
import { attachSealed } from '../sealed/sealed-analyst.js';

/** A recommend job's result (the job's `result.recommend`); the metrics are absent with evaluation.holdOut 'none'. */
export type RecommendJobResult = RecommendResult;

function recommendResultOf(job: JobView): RecommendJobResult {
  const r = (job.result as { recommend?: RecommendJobResult } | undefined)?.recommend;
  if (!r || typeof r.rounds !== 'number' || typeof r.k !== 'number')
    throw new Error(`job ${job.id} completed without a recommend result`);
  return r;
}

/**
 * Runs a recommend job (the spec of a `kind: "recommend"` job; the kind is added when absent), signed as every
 * submission is, and waits for it: the result (HR@10, NDCG@10, coverage) and the final item factors, the last
 * round's model in the catalogue's order (BPR's optimiser state included when the job kept one). With `sealed`
 * keys the job runs sealed: each round's summed update is decrypted and applied here, never by the coordinator.
 */
export async function runRecommend(
  client: AnalystClient,
  spec: object,
  opts: { sealed?: AnalystKeys; onEvent?: (job: JobView, message: string) => void } = {},
): Promise<{ job: JobView; result: RecommendJobResult; items: ItemFactors }> {
  const own = { kind: 'recommend', ...spec };
  // Refused here, naming the field, before anything is sent (the coordinator would refuse it the same way).
  const parsed = parseRecommendSpec(opts.sealed ? sealedSpec(own) : own);
  const submitted = await client.submit(own, opts.sealed ? { sealed: opts.sealed } : {});
  const watching = client.watch(submitted.id, opts.onEvent);
  const [job] = await Promise.all([
    watching,
    opts.sealed ? attachSealed(client, submitted.id, opts.sealed, { spec: own }) : undefined,
  ]);
  if (job.status !== 'completed')
    throw new Error(`the recommend job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  const result = recommendResultOf(job);
  const model = await client.result(job.id);
  const items = itemsFromModelVector(model.weights, parsed.catalogue.items.length, parsed.model.k);
  return { job, result, items };
}
