import type { Random } from '@tessera/crypto';
import { checkLabeled, checkMatrix, type LabeledData, type Matrix } from '../matrix.js';
import { type MlpOptions, mlpInit, mlpLayout } from './mlp-layout.js';
import { mlpBackward } from './mlp-backward.js';
import { mlpForward, mlpHeadLoss, mlpOutputs, mlpWorkspace, type MlpWorkspace } from './mlp-pass.js';
import { checkBatch, checkFeatures, checkParams } from './model-checks.js';
import type { Model } from './model.js';

export type { MlpActivation, MlpHead, MlpOptions } from './mlp-layout.js';

/** Rows per forward pass in predict (bounds the workspace predict needs). */
const PREDICT_CHUNK = 256;

/**
 * A multi-layer perceptron: 1 to 3 fully connected ReLU hidden layers and a sigmoid, softmax or linear head, with
 * the losses of logisticModel, softmaxModel and linearModel respectively (mean over the batch, + (l2/2)·||W||²
 * over every weight matrix, biases excluded). Parameter layout: see MlpLayout (layer by layer, each a row-major
 * out × in weight matrix then its biases). Training passes are allocation-free: the model keeps one workspace,
 * grown to the largest batch seen, and one of a single row for the per-example gradients.
 */
export function mlpModel(options: MlpOptions): Model {
  const layout = mlpLayout(options);
  const { widths, weightOffset, biasOffset, l2 } = layout;
  let batchSpace: MlpWorkspace | undefined;
  const rowSpace = mlpWorkspace(layout, 1);
  const oneRow = new Uint32Array(1);

  const workspace = (rows: number): MlpWorkspace => {
    if (batchSpace === undefined || batchSpace.capacity < rows) batchSpace = mlpWorkspace(layout, rows);
    return batchSpace;
  };

  const model: Model = {
    kind: 'mlp',
    task: layout.task,
    features: widths[0]!,
    outputs: layout.outputs,
    size: layout.size,
    init: (rng: Random) => mlpInit(layout, rng),
    biasIndices: () =>
      layout.biasOffset.flatMap((offset, l) => Array.from({ length: widths[l + 1]! }, (_, i) => offset + i)),
    lossAndGradient(params, data, rows, start, end, gradient, rng) {
      checkBatch(model, params, data, rows, start, end, gradient);
      const b = end - start;
      const ws = workspace(b);
      gradient.fill(0);
      const dropped = mlpForward(layout, ws, params, data.x, rows, start, b, rng);
      const loss = mlpHeadLoss(layout, ws, data, rows, start, b, 1 / b);
      mlpBackward(layout, ws, params, b, gradient, dropped);
      let penalty = 0;
      for (let l = 0; l < weightOffset.length; l++) {
        for (let j = weightOffset[l]!; j < biasOffset[l]!; j++) {
          const w = params[j]!;
          gradient[j]! += l2 * w;
          penalty += w * w;
        }
      }
      return loss / b + (l2 / 2) * penalty;
    },
    forEachExampleGradient(params: Float64Array, data: LabeledData, visit) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkLabeled(data);
      const gradient = new Float64Array(layout.size);
      let loss = 0;
      for (let row = 0; row < data.n; row++) {
        oneRow[0] = row;
        mlpForward(layout, rowSpace, params, data.x, oneRow, 0, 1);
        loss += mlpHeadLoss(layout, rowSpace, data, oneRow, 0, 1, 1);
        mlpBackward(layout, rowSpace, params, 1, gradient, false, true);
        visit(gradient, row);
      }
      return data.n > 0 ? loss / data.n : Number.NaN;
    },
    predict(params: Float64Array, data: Matrix) {
      checkParams(model, params);
      checkFeatures(model, data.d);
      checkMatrix(data);
      const k = layout.outputs;
      const out = new Float64Array(data.n * k);
      const order = new Uint32Array(Math.min(PREDICT_CHUNK, data.n));
      const ws = workspace(order.length);
      for (let start = 0; start < data.n; start += PREDICT_CHUNK) {
        const b = Math.min(PREDICT_CHUNK, data.n - start);
        for (let r = 0; r < b; r++) order[r] = start + r;
        mlpForward(layout, ws, params, data.x, order, 0, b);
        out.set(mlpOutputs(layout, ws, b), start * k);
      }
      return out;
    },
  };
  return model;
}
