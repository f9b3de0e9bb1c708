// VALUATION_COUNT: this node's row count of a DP training job it trained in, in its own slot of a secure sum, with its
// share of the noise of the payout's valuation (payout.epsilon), charged to its budget and written to its audit log.
import { systemRandom } from '@tessera/crypto';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { tessera } from '@tessera/proto';
import type { LocalResult } from '../local-compute.js';
import {
  checkValuationCount,
  checkValuationCountReleases,
  valuationCountNoiseOf,
  valuationCountSpecOf,
} from '../privacy/valuation-count-check.js';
import { PrivacyRefusal } from '../privacy/task-spec.js';
import type { ComputeHandler, TaskContext } from './task-handler.js';

const MODULUS = 2 ** 32;

/** The encoded vector (this node's count at its slot, the noise share on every slot) and the count. */
export interface ValuationCountResult {
  words: Uint32Array;
  count: number;
}

/** The rows this node trained on in the job (its last FIT's numExamples), or a refusal when it kept none. */
function trainedRows(ctx: TaskContext, task: tessera.v1.ITask): number {
  const jobId = task.ref?.jobId ?? '';
  const fit = ctx.memory.lastFit.get(jobId);
  if (!fit || !(fit.examples > 0))
    throw new PrivacyRefusal(
      `privacy check: valuation count: this node has no training round of job ${JSON.stringify(jobId)} in memory ` +
        '(it did not contribute, or restarted since); refused before reading any data',
    );
  return fit.examples;
}

export const valuationCountTask: ComputeHandler<ValuationCountResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.VALUATION_COUNT,
  // Inside admission, after consent (the `valuation` grant) and before the charge: a task refused here costs nothing.
  beforeCharge(ctx, task) {
    const spec = valuationCountSpecOf(task);
    checkValuationCount(task, spec, ctx.id);
    trainedRows(ctx, task);
    checkValuationCountReleases(ctx.ledger, task, spec);
  },
  compute(ctx, { task }) {
    const spec = valuationCountSpecOf(task);
    const slot = checkValuationCount(task, spec, ctx.id);
    const noise = valuationCountNoiseOf(task, spec);
    const count = trainedRows(ctx, task);
    const words = new Uint32Array(task.valuationCount?.slots?.length ?? 0);
    words[slot] = (count * noise.level) % MODULUS;
    if (noise.shareVariance > 0)
      addDiscreteGaussianNoise(words, BigInt(Math.ceil(noise.shareVariance)), MODULUS, systemRandom());
    return { result: { words, count }, rows: count };
  },
  // Only ever summed securely (checkValuationCount refuses a task without a secure setup).
  reply: (ctx, active) =>
    ctx.refuse(active.task.ref, 'a valuation count is only ever contributed to a secure sum', active.task),
  secureInput: (r): LocalResult & { words: Uint32Array } => ({ words: r.words, numExamples: 0, metrics: {} }),
};
