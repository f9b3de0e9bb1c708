import type { ModelTask } from '@tessera/ml';
import type { WeightSlot } from './flat-weights.js';
import { rowLosses, type TfjsLoss } from './losses.js';
import { tf, type LayersModel } from './tfjs.js';

/** What every training pass needs to know about the wrapped model. */
export interface Wrapped {
  model: LayersModel;
  task: ModelTask;
  outputs: number;
  loss: TfjsLoss;
  slots: WeightSlot[];
  /** The tf.Variables of the trainable weights, with their slots. */
  trainable: { variable: tf.Variable; slot: WeightSlot }[];
}

export function trainableVariables(model: LayersModel, slots: readonly WeightSlot[]): Wrapped['trainable'] {
  return model.weights.flatMap((w, i) => (w.trainable ? [{ variable: w.read() as tf.Variable, slot: slots[i]! }] : []));
}

/**
 * The mean loss of the batch (x, y) as a scalar, plus the layers' regularisation losses when `penalties`;
 * `training` turns dropout and the like on (they then draw from tfjs's own random generator).
 */
export function batchLoss(
  w: Wrapped,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  training: boolean,
  penalties: boolean,
): tf.Scalar {
  const prediction = w.model.apply(x, { training }) as tf.Tensor;
  let loss: tf.Scalar = tf.mean(rowLosses(w.loss, y, prediction));
  if (penalties) for (const p of w.model.calculateLosses()) loss = tf.add(loss, p);
  return loss;
}

/** Loss and gradient (into `gradient`, zero for non-trainable weights) of one batch; leaves no tensor behind. */
export function lossAndGradientOf(
  w: Wrapped,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  training: boolean,
  penalties: boolean,
  gradient: Float64Array,
): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => batchLoss(w, x, y, training, penalties),
      w.trainable.map((t) => t.variable),
    );
    gradient.fill(0);
    for (const { variable, slot } of w.trainable) {
      const g = grads[variable.name];
      if (g !== undefined) gradient.set(g.dataSync() as Float32Array, slot.offset);
    }
    return value.dataSync()[0]!; // a scalar has one value
  });
}
