/**
 * A training job's model file, the same `tessera-model` version 2 JSON `tessera job result ID --out model.json`
 * writes: the model the gRPC GetResult call sends (the round of lowest federated validation loss where validation
 * ran, else the latest), passed through the same wire mappings and modelFileFrom.
 */
import { resultModel, type Coordinator } from '@tessera/coordinator';
import {
  columnProfileFromProto,
  columnProfileToProto,
  fromModelConfig,
  toModelConfig,
  type WireModel,
} from '@tessera/proto';
import { modelFileFrom, type JobResult, type JobView, type ModelFileV2 } from '@tessera/sdk';
import { ConsoleError } from '../../http/console-error.js';
import type { JobData } from './job-data.js';

export async function modelFileOf(coordinator: Coordinator, d: JobData): Promise<ModelFileV2> {
  const { job } = d;
  if (d.kind !== 'train')
    throw new ConsoleError(
      'NOT_FOUND',
      `job ${job.id} is a ${d.kind} job: model files are of training jobs (a vertical job's guest model: ` +
        `tessera job result ${job.id} --out FILE)`,
    );
  const latest = await resultModel(coordinator.store, job);
  if (!latest)
    throw new ConsoleError('NOT_FOUND', `job ${job.id} is ${job.status} and has no completed round yet: no model`);
  const ctx = latest.context;
  const spec = JSON.parse(job.specJson) as { label: string; model: WireModel; local?: { optimiser?: string } };
  const standardisation = ctx.standardisation;
  const result: JobResult = {
    job: viewOf(d),
    round: latest.round,
    label: spec.label,
    modelType: spec.model.type,
    featureNames: ctx.featureNames ?? [],
    features: (ctx.schema?.features ?? []).map((f) => columnProfileFromProto(columnProfileToProto(f))),
    mean: standardisation?.mean ?? [],
    std: standardisation?.std ?? [],
    standardisedClip: standardisation?.clip ?? 0,
    weights: latest.weights,
    model: fromModelConfig(toModelConfig(spec.model, spec.local?.optimiser ?? 'sgd')),
  };
  return modelFileFrom(result);
}

/** The job as the client's JobView, as far as a model file reads it (id, name, spec, rounds). */
function viewOf(d: JobData): JobView {
  const { job } = d;
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    spec: JSON.parse(d.message.specJson || '{}') as Record<string, unknown>,
    roundsCompleted: job.roundsCompleted,
    roundsTotal: job.roundsTotal,
    createdAt: new Date(job.createdAt),
    updatedAt: new Date(job.updatedAt),
    error: job.error,
    featureNames: [...(d.message.featureNames ?? [])],
    history: d.history,
    privacySpend: [],
    refusals: [],
    analystIdentity: d.message.analystIdentity ?? '',
    owner: job.owner ?? '',
  };
}
