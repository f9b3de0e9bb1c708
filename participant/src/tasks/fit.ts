// FIT: one round of local training from the global model; kept for the evaluation and for valuation.
import { featureNames } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { prepareTaskModel } from '../training-model.js';
import { agreedSchemaOf, type LocalResult } from '../local-compute.js';
import { localFit } from '../streaming/compute.js';
import { verifiedAnalystOf } from '../privacy/spec-authorisation.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const fitTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.FIT,
  // A round that keeps its update for valuation passed the protection check on the owner's opt-in; under a consent
  // policy the job's verified analyst must also hold a live `valuation` grant (VALUATE would disclose to it), so a
  // node refuses the round up front rather than keep an update it will never be allowed to disclose.
  beforeCharge(ctx, task) {
    if (task.training?.keepForValuation && ctx.consent.policy)
      ctx.consent.admit(task, tessera.v1.Stage.VALUATE, verifiedAnalystOf(task));
  },
  prepare: (task) => prepareTaskModel(task, featureNames(agreedSchemaOf(task)).length),
  async compute(ctx, { task, model }) {
    const r = await localFit(ctx.data, task, model!, ctx.name);
    const jobId = task.ref?.jobId ?? '';
    // The training loss goes (securely summed) with this job's evaluation; without one (NaN) the evaluation counts
    // no training, as without a fit.
    ctx.memory.lastFit.set(jobId, { examples: r.numExamples, trainLoss: r.metrics.train_loss ?? Number.NaN });
    // A job with a payout may later ask for this round's update, to value the contribution.
    if (task.training?.keepForValuation && r.vector)
      ctx.memory.disclosure.keep(jobId, Number(task.ref?.round ?? 0), r.vector, r.numExamples);
    return { result: r, rows: r.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
