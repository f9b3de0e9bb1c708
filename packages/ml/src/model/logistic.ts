import type { Random } from '@tessera/crypto';
import { batchLossAndGradient } from '../logistic-gradient.js';
import { predictProba } from '../logistic-model.js';
import type { LabeledData, Matrix } from '../matrix.js';
import { forEachExampleGradient } from '../per-example-gradient.js';
import { checkBatch, checkFeatures, checkInteger, checkL2, checkParams } from './model-checks.js';
import type { Model } from './model.js';

export interface LinearModelOptions {
  /** Input width d. */
  features: number;
  /** Coefficient of (l2/2)·||w||², bias excluded. */
  l2: number;
}

/**
 * Binary logistic regression as a Model, over the package's original logistic code: parameters are d weights then
 * the bias LAST (the layout of logisticInit, model files and deltas); loss = mean log loss + (l2/2)·||w||².
 */
export function logisticModel(options: LinearModelOptions): Model {
  const { features, l2 } = options;
  checkInteger('features', features, 1);
  checkL2(l2);
  const model: Model = {
    kind: 'logistic',
    task: 'binary',
    features,
    outputs: 1,
    size: features + 1,
    init: (_rng: Random) => new Float64Array(features + 1),
    lossAndGradient(params, data, rows, start, end, gradient) {
      checkBatch(model, params, data, rows, start, end, gradient);
      return batchLossAndGradient(params, data, rows, start, end, l2, gradient);
    },
    forEachExampleGradient(params: Float64Array, data: LabeledData, visit) {
      checkFeatures(model, data.d);
      return forEachExampleGradient(params, data, visit);
    },
    predict(params: Float64Array, data: Matrix) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      return predictProba(params, data);
    },
  };
  return model;
}
