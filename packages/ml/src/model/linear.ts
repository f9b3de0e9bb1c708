import type { Random } from '@tessera/crypto';
import { logitOfRow } from '../logistic-model.js';
import { checkLabeled, checkMatrix, type LabeledData, type Matrix } from '../matrix.js';
import type { LinearModelOptions } from './logistic.js';
import { checkBatch, checkFeatures, checkInteger, checkL2, checkParams } from './model-checks.js';
import type { Model } from './model.js';

/**
 * Linear regression as a Model: prediction w·x + b, parameters d weights then the bias LAST (as logisticModel).
 * Loss = mean over the batch of (y - ŷ)²/2, i.e. half the mean squared error, + (l2/2)·||w||² (bias excluded);
 * the 1/2 makes the gradient the plain residual (ŷ - y)·x. evaluateModel reports the same half-MSE as `loss`.
 */
export function linearModel(options: LinearModelOptions): Model {
  const { features: d, l2 } = options;
  checkInteger('features', d, 1);
  checkL2(l2);
  const model: Model = {
    kind: 'linear',
    task: 'regression',
    features: d,
    outputs: 1,
    size: d + 1,
    init: (_rng: Random) => new Float64Array(d + 1),
    lossAndGradient(params, data, rows, start, end, gradient) {
      checkBatch(model, params, data, rows, start, end, gradient);
      const { x, y } = data;
      gradient.fill(0);
      let loss = 0;
      // checkBatch: params and gradient hold d + 1 values, rows[start, end) exist; rows index the data's rows.
      for (let k = start; k < end; k++) {
        const row = rows[k]!;
        const residual = logitOfRow(params, x, row, d) - y[row]!;
        loss += residual * residual;
        const base = row * d;
        for (let j = 0; j < d; j++) gradient[j]! += residual * x[base + j]!;
        gradient[d]! += residual;
      }
      const size = end - start;
      let penalty = 0;
      for (let j = 0; j < d; j++) {
        const w = params[j]!;
        gradient[j] = gradient[j]! / size + l2 * w;
        penalty += w * w;
      }
      gradient[d]! /= size;
      return loss / (2 * size) + (l2 / 2) * penalty;
    },
    forEachExampleGradient(params: Float64Array, data: LabeledData, visit) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkLabeled(data);
      const { x, y } = data;
      const gradient = new Float64Array(d + 1);
      let loss = 0;
      for (let row = 0; row < data.n; row++) {
        const residual = logitOfRow(params, x, row, d) - y[row]!;
        loss += residual * residual;
        const base = row * d;
        for (let j = 0; j < d; j++) gradient[j] = residual * x[base + j]!;
        gradient[d] = residual;
        visit(gradient, row);
      }
      return data.n > 0 ? loss / (2 * data.n) : Number.NaN;
    },
    predict(params: Float64Array, data: Matrix) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkMatrix(data);
      const out = new Float64Array(data.n);
      for (let i = 0; i < data.n; i++) out[i] = logitOfRow(params, data.x, i, d);
      return out;
    },
  };
  return model;
}
