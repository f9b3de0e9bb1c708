// `tessera job result <id>` for a recommend job: the final item model as a recommend model file.
import type { AnalystClient, JobView } from '@tessera/sdk';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { recommendModelFileFromJob } from './job-model.js';
import { saveRecommendModelFile } from './model-file.js';
import { heldOutLine } from './recommend-metrics.js';

export async function saveRecommendResult(
  analyst: AnalystClient,
  job: JobView,
  o: { out?: string; json?: boolean },
): Promise<void> {
  let result: Awaited<ReturnType<AnalystClient['result']>>;
  try {
    result = await analyst.result(job.id);
  } catch (e) {
    throw new UsageError(
      `recommend job ${job.id} is ${job.status}${job.error ? `: ${job.error}` : ''}; no item model yet ` +
        `(${(e as Error).message})`,
    );
  }
  const model = recommendModelFileFromJob({ job, round: result.round, weights: result.weights });
  if (o.out) saveRecommendModelFile(o.out, model);
  if (o.json) return printJson(model);
  process.stdout.write(
    `recommend model of job ${job.id} (${model.algorithm}, k = ${model.k}, ${model.catalogue.length} items, ` +
      `round ${model.job.round})${o.out ? ` written to ${o.out}` : ''}\n`,
  );
  const m = model.metrics;
  process.stdout.write(
    m
      ? `${heldOutLine(m)}\n`
      : 'held-out evaluation: none reported (evaluation.holdOut "none", or the job has not completed)\n',
  );
  if (o.out)
    process.stdout.write(
      `each merchant scores its own customers locally: tessera model recommend --model ${o.out} --data FILE ` +
        '--customer ID\n',
    );
}
