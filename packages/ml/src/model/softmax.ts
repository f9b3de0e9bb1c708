import type { Random } from '@tessera/crypto';
import { checkLabeled, checkMatrix, type LabeledData, type Matrix } from '../matrix.js';
import { softmaxInPlace } from './log-softmax.js';
import { checkBatch, checkClass, checkFeatures, checkInteger, checkL2, checkParams } from './model-checks.js';
import type { Model } from './model.js';

export interface SoftmaxModelOptions {
  features: number;
  /** K >= 2. */
  classes: number;
  /** Coefficient of (l2/2)·||W||², biases excluded. */
  l2: number;
}

/**
 * Multinomial logistic regression. Parameter layout: K blocks of d + 1, block k = [w_k (d weights), b_k], so class
 * k's logit is w_k·x + b_k with its bias LAST in its block (as in the binary model). Loss = mean cross-entropy
 * -log softmax(z)_y (computed as log Σ exp(z) - z_y with the max shifted out) + (l2/2)·||W||². Labels are class
 * indices 0..K-1; predict gives the K class probabilities per row.
 */
export function softmaxModel(options: SoftmaxModelOptions): Model {
  const { features: d, classes: k, l2 } = options;
  checkInteger('features', d, 1);
  checkInteger('classes', k, 2);
  checkL2(l2);
  const stride = d + 1;
  const z = new Float64Array(k);

  /** Writes the row's class probabilities into z and returns its log loss. */
  function forward(params: Float64Array, x: Float64Array, row: number, label: number): number {
    const base = row * d;
    for (let c = 0; c < k; c++) {
      const w = c * stride;
      let s = params[w + d]!;
      for (let j = 0; j < d; j++) s += params[w + j]! * x[base + j]!;
      z[c] = s;
    }
    const zy = z[label]!;
    return softmaxInPlace(z, 0, k) - zy;
  }

  /** Adds scale·(p - onehot(label)) ⊗ [x, 1] to gradient. */
  function accumulate(gradient: Float64Array, x: Float64Array, row: number, label: number, assign: boolean): void {
    const base = row * d;
    for (let c = 0; c < k; c++) {
      const r = z[c]! - (c === label ? 1 : 0);
      const w = c * stride;
      if (assign) {
        for (let j = 0; j < d; j++) gradient[w + j] = r * x[base + j]!;
        gradient[w + d] = r;
      } else {
        for (let j = 0; j < d; j++) gradient[w + j]! += r * x[base + j]!;
        gradient[w + d]! += r;
      }
    }
  }

  const model: Model = {
    kind: 'softmax',
    task: 'multiclass',
    features: d,
    outputs: k,
    size: k * stride,
    init: (_rng: Random) => new Float64Array(k * stride),
    biasIndices: () => Array.from({ length: k }, (_, c) => c * stride + d),
    lossAndGradient(params, data, rows, start, end, gradient) {
      checkBatch(model, params, data, rows, start, end, gradient);
      const { x, y } = data;
      gradient.fill(0);
      let loss = 0;
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        const label = y[row]!;
        checkClass(label, k, row);
        loss += forward(params, x, row, label);
        accumulate(gradient, x, row, label, false);
      }
      const size = end - start;
      let penalty = 0;
      for (let c = 0; c < k; c++) {
        const w = c * stride;
        for (let j = 0; j < d; j++) {
          const v = params[w + j]!;
          gradient[w + j] = gradient[w + j]! / size + l2 * v;
          penalty += v * v;
        }
        gradient[w + d]! /= size;
      }
      return loss / size + (l2 / 2) * penalty;
    },
    forEachExampleGradient(params: Float64Array, data: LabeledData, visit) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkLabeled(data);
      const gradient = new Float64Array(k * stride);
      let loss = 0;
      for (let row = 0; row < data.n; row++) {
        const label = data.y[row]!;
        checkClass(label, k, row);
        loss += forward(params, data.x, row, label);
        accumulate(gradient, data.x, row, label, true);
        visit(gradient, row);
      }
      return data.n > 0 ? loss / data.n : Number.NaN;
    },
    predict(params: Float64Array, data: Matrix) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkMatrix(data);
      const out = new Float64Array(data.n * k);
      for (let row = 0; row < data.n; row++) {
        forward(params, data.x, row, 0);
        out.set(z, row * k);
      }
      return out;
    },
  };
  return model;
}
