// EVALUATE: the global model's loss and accuracy on this node's data.
import { featureNames } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { prepareTaskModel } from '../training-model.js';
import { agreedSchemaOf, type LocalResult } from '../local-compute.js';
import { localEvaluate } from '../streaming/compute.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const evaluateTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.EVALUATE,
  prepare: (task) => prepareTaskModel(task, featureNames(agreedSchemaOf(task)).length),
  async compute(ctx, { task, model }) {
    const result = await localEvaluate(ctx.data, task, model!, ctx.name);
    return { result, rows: result.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
