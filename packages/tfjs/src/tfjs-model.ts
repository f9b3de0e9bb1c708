import type { LabeledData, Matrix, Model, ModelTask, Random } from '@tessera/ml';
import { lossAndGradientOf, trainableVariables, type Wrapped } from './batch-loss.js';
import { fitLocal } from './fit-local.js';
import { flatSize, weightSlots, writeParams } from './flat-weights.js';
import { glorotInit } from './glorot-init.js';
import { checkLoss, featureTensor, labelTensor, type TfjsLoss } from './losses.js';
import { tf, type LayersModel } from './tfjs.js';

export interface TfjsModelOptions {
  task: ModelTask;
  /** Multiclass only: the class count, which must be the output width (the default). */
  classes?: number;
  /** Default: binaryCrossentropy (binary), categoricalCrossentropy (multiclass), meanSquaredError (regression). */
  loss?: TfjsLoss;
  /** Epochs of fitLocal per round, overriding the round's `epochs` when set. */
  epochsPerFit?: number;
}

/** Rows per model.predict call. */
const PREDICT_CHUNK = 1024;

function shapeOf(model: LayersModel, options: TfjsModelOptions): { features: number; outputs: number } {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RangeError(
      `a tfjs model needs exactly one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const input = model.inputs[0]!.shape;
  const output = model.outputs[0]!.shape;
  const features = input[1];
  const outputs = output[1];
  if (input.length !== 2 || typeof features !== 'number' || output.length !== 2 || typeof outputs !== 'number') {
    throw new RangeError(
      `a tfjs model must map [batch, features] to [batch, outputs], got input ${JSON.stringify(input)} ` +
        `and output ${JSON.stringify(output)}`,
    );
  }
  if (options.task === 'multiclass') {
    const classes = options.classes ?? outputs;
    if (!(Number.isInteger(classes) && classes >= 2) || classes !== outputs) {
      throw new RangeError(`classes ${classes} must be >= 2 and equal the model's output width ${outputs}`);
    }
  } else if (outputs !== 1) {
    throw new RangeError(`a ${options.task} model has one output unit, this one has ${outputs}`);
  }
  return { features, outputs };
}

function check(cond: boolean, message: () => string): void {
  if (!cond) throw new RangeError(message());
}

/**
 * A Tessera Model over a tfjs LayersModel (one [batch, features] input, one [batch, outputs] output, the head's
 * activation included: sigmoid for binary, softmax for multiclass). Its parameters are every weight tensor of
 * model.getWeights() flattened in order into one Float64Array (float32 values; trainable or not). Every call
 * first writes the given parameters into the LayersModel with setWeights, so one LayersModel must not be shared
 * with code that expects its weights to stay put. Losses are tfjs's (`loss`); lossAndGradient adds the layers'
 * regularisation losses; gradients of non-trainable weights are zero. forEachExampleGradient loops over single
 * rows through tfjs (correct but slow: one gradient pass per row). Run on whatever tfjs backend is active (the
 * CPU one by default); an asynchronous backend must be ready (await tf.ready()) before the first call.
 */
export function tfjsModel(layersModel: LayersModel, options: TfjsModelOptions): Model {
  const { features, outputs } = shapeOf(layersModel, options);
  const loss = checkLoss(options.task, options.loss);
  const epochsPerFit = options.epochsPerFit;
  check(epochsPerFit === undefined || (Number.isInteger(epochsPerFit) && epochsPerFit >= 0), () => {
    return `epochsPerFit must be an integer >= 0, got ${epochsPerFit}`;
  });
  const slots = weightSlots(layersModel);
  const size = flatSize(slots);
  const w: Wrapped = {
    model: layersModel,
    task: options.task,
    outputs,
    loss,
    slots,
    trainable: trainableVariables(layersModel, slots),
  };
  const checkParams = (params: Float64Array) =>
    check(params.length === size, () => `tfjs model parameters have length ${params.length}, expected ${size}`);
  const checkData = (data: Matrix) => {
    check(data.d === features, () => `data has ${data.d} features, the tfjs model expects ${features}`);
    check(data.x.length === data.n * data.d, () => `matrix x has length ${data.x.length}, expected n*d`);
  };
  const checkLabels = (data: LabeledData) =>
    check(data.y.length === data.n, () => `labels have length ${data.y.length}, expected n = ${data.n}`);

  const model: Model = {
    kind: 'tfjs',
    task: options.task,
    features,
    outputs,
    size,
    init: (rng: Random) => glorotInit(slots, size, rng),
    // Rank-1 weights (biases, batch-norm scales and shifts) carry no L2 penalty.
    biasIndices: () =>
      slots
        .filter((s) => s.shape.length === 1)
        .flatMap((s) => Array.from({ length: s.length }, (_, i) => s.offset + i)),
    lossAndGradient(params, data, rows, start, end, gradient, rng) {
      checkParams(params);
      checkData(data);
      checkLabels(data);
      check(gradient.length === size, () => `gradient buffer has length ${gradient.length}, expected ${size}`);
      check(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= rows.length, () => {
        return `a batch needs 0 <= start < end <= rows.length (${rows.length}), got [${start}, ${end})`;
      });
      writeParams(layersModel, slots, params);
      return tf.tidy(() => {
        const x = featureTensor(data, rows, start, end);
        const y = labelTensor(options.task, outputs, data, rows, start, end);
        return lossAndGradientOf(w, x, y, rng !== undefined, true, gradient);
      });
    },
    forEachExampleGradient(params, data, visit) {
      checkParams(params);
      checkData(data);
      checkLabels(data);
      writeParams(layersModel, slots, params);
      const gradient = new Float64Array(size);
      const one = new Uint32Array(1);
      let total = 0;
      for (let row = 0; row < data.n; row++) {
        one[0] = row;
        total += tf.tidy(() => {
          const x = featureTensor(data, one, 0, 1);
          const y = labelTensor(options.task, outputs, data, one, 0, 1);
          return lossAndGradientOf(w, x, y, false, false, gradient);
        });
        visit(gradient, row);
      }
      return data.n > 0 ? total / data.n : Number.NaN;
    },
    predict(params, data) {
      checkParams(params);
      checkData(data);
      writeParams(layersModel, slots, params);
      const out = new Float64Array(data.n * outputs);
      for (let start = 0; start < data.n; start += PREDICT_CHUNK) {
        const end = Math.min(data.n, start + PREDICT_CHUNK);
        tf.tidy(() => {
          const x = tf.tensor2d(Float32Array.from(data.x.subarray(start * data.d, end * data.d)), [
            end - start,
            data.d,
          ]);
          const p = layersModel.predict(x) as tf.Tensor;
          out.set(p.dataSync() as Float32Array, start * outputs);
        });
      }
      return out;
    },
    fitLocal(params, data, cfg, rng) {
      checkParams(params);
      checkData(data);
      checkLabels(data);
      return fitLocal(w, params, data, cfg, rng, epochsPerFit ?? cfg.epochs);
    },
  };
  return model;
}
