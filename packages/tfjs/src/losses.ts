import type { LabeledData, ModelTask } from '@tessera/ml';
import { tf, tfl } from './tfjs.js';

/** The losses the adapter computes, by their tfjs (Keras) names. */
export type TfjsLoss = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError' | 'meanAbsoluteError';

const LOSSES_OF_TASK: Record<ModelTask, readonly TfjsLoss[]> = {
  binary: ['binaryCrossentropy', 'meanSquaredError'],
  multiclass: ['categoricalCrossentropy'],
  regression: ['meanSquaredError', 'meanAbsoluteError'],
};

/** The task's default loss: binary cross-entropy, categorical cross-entropy or mean squared error. */
export function checkLoss(task: ModelTask, loss: TfjsLoss | undefined): TfjsLoss {
  const allowed = LOSSES_OF_TASK[task];
  if (allowed === undefined) {
    throw new RangeError(`task must be 'binary', 'multiclass' or 'regression', got ${JSON.stringify(task)}`);
  }
  if (loss === undefined) return allowed[0]!; // every task lists at least one loss
  if (!allowed.includes(loss)) {
    throw new RangeError(`loss ${JSON.stringify(loss)} does not fit task '${task}'; use one of ${allowed.join(', ')}`);
  }
  return loss;
}

/** Per-row loss (shape [n]) as tfjs's layers compute it in fit: probabilities clipped to [1e-7, 1 - 1e-7]. */
export function rowLosses(loss: TfjsLoss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tfl.metrics[loss](yTrue, yPred);
}

/** The labels of rows[start, end) as the target tensor [b, outputs]: one-hot for multiclass, else one column. */
export function labelTensor(
  task: ModelTask,
  outputs: number,
  data: LabeledData,
  rows: ArrayLike<number>,
  start: number,
  end: number,
): tf.Tensor2D {
  const b = end - start;
  const y = new Float32Array(b * (task === 'multiclass' ? outputs : 1));
  for (let k = 0; k < b; k++) {
    const label = data.y[rows[start + k]!]!; // the caller checked the rows
    if (task === 'multiclass') {
      if (!(Number.isInteger(label) && label >= 0 && label < outputs)) {
        throw new RangeError(`label ${label} of row ${rows[start + k]} is not a class index in [0, ${outputs})`);
      }
      y[k * outputs + label] = 1;
    } else y[k] = label;
  }
  return tf.tensor2d(y, [b, task === 'multiclass' ? outputs : 1]);
}

/** Rows[start, end) of the features as a float32 tensor [b, d]. */
export function featureTensor(data: LabeledData, rows: ArrayLike<number>, start: number, end: number): tf.Tensor2D {
  const { d } = data;
  const b = end - start;
  const x = new Float32Array(b * d);
  for (let k = 0; k < b; k++) {
    const r = rows[start + k]!;
    if (!(Number.isInteger(r) && r >= 0 && r < data.n)) throw new RangeError(`row ${r} is out of range [0, ${data.n})`);
    x.set(data.x.subarray(r * d, (r + 1) * d), k * d);
  }
  return tf.tensor2d(x, [b, d]);
}
