/**
 * Which model is a training job's result: the round of lowest federated validation loss where validation ran (not
 * under DP), else the latest completed round. The gRPC GetResult call and the web console's download both take it.
 */
import type { Store } from '../store/store.js';
import { parseContext, type JobContext } from './job-context.js';

export interface ResultModel {
  round: number;
  weights: Float64Array;
  /** The job's context as stored (features, standardisation, schema). */
  context: JobContext;
}

/** The result model of a job, or undefined while no round has completed. */
export async function resultModel(
  store: Store,
  job: { id: string; contextJson: string },
): Promise<ResultModel | undefined> {
  const last = await store.latestModel(job.id);
  if (!last) return undefined;
  const context = parseContext(job.contextJson);
  const best =
    context.best && context.best.round !== last.round ? await store.loadModel(job.id, context.best.round) : undefined;
  return best ? { round: context.best!.round, weights: best, context } : { ...last, context };
}
