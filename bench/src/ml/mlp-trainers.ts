// The implementations the local-training benchmark compares, each training the same MLP from the same starting
// parameters: Tessera's typed-array mlpModel through trainModel, and tfjs's LayersModel through model.fit (CPU and
// WASM backends) or through @tessera/tfjs's fitLocal.
import '@tensorflow/tfjs-backend-wasm';
import { type LabeledData, type LocalOptimiser, mlpModel, seededRandom, trainModel } from '@tessera/ml';
import { tf, tfjsModel, tfl, type LayersModel } from '@tessera/tfjs';
import { argmaxAccuracy } from './digits.js';

export interface MlpShape {
  features: number;
  hidden: number[];
  classes: number;
}

export interface TrainingSettings {
  optimiser: LocalOptimiser;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: string;
}

/** One timed training: wall and CPU seconds of `epochs` epochs, and the training accuracy they reach. */
export interface TimedTraining {
  seconds: number;
  cpuSeconds: number;
  accuracy: number;
}

export interface Trainer {
  name: string;
  /** The tfjs backend it runs on ('' for Tessera's own code). */
  backend: string;
  /** Trains from `init` (Tessera's MLP layout) for settings.epochs; resolves when the work is done. */
  train(init: Float64Array, data: LabeledData, s: TrainingSettings): Promise<TimedTraining>;
}

export const tesseraMlp = (shape: MlpShape) =>
  mlpModel({ features: shape.features, hidden: shape.hidden, head: 'softmax', classes: shape.classes, l2: 0 });

/** Times `train` alone (wall and CPU), then measures the training accuracy of what it returned. */
async function timed<T>(train: () => Promise<T> | T, accuracyOf: (trained: T) => number): Promise<TimedTraining> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const trained = await train();
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, accuracy: accuracyOf(trained) };
}

export function tesseraTrainer(shape: MlpShape): Trainer {
  return {
    name: 'Tessera mlpModel + trainModel (Float64Array)',
    backend: '',
    train: (init, data, s) => {
      const model = tesseraMlp(shape);
      const cfg = { learningRate: s.learningRate, batchSize: s.batchSize, epochs: s.epochs, optimiser: s.optimiser };
      return timed(
        () => trainModel(model, init, data, cfg, seededRandom(s.seed)).params,
        (params) => argmaxAccuracy(model.predict(params, data), data),
      );
    },
  };
}

/** The same network as a tfjs LayersModel: Dense + ReLU hidden layers, a softmax head. */
export function tfjsMlp(shape: MlpShape): LayersModel {
  const m = tfl.sequential();
  shape.hidden.forEach((units, i) => {
    m.add(tfl.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [shape.features] } : {}) }));
  });
  m.add(tfl.layers.dense({ units: shape.classes, activation: 'softmax' }));
  return m;
}

/**
 * Tessera's MLP parameters (per layer a row-major out × in matrix, then the biases) as tfjs's weights (per layer
 * an in × out kernel, then the bias), flattened.
 */
export function toTfjsLayout(shape: MlpShape, params: Float64Array): Float64Array {
  const widths = [shape.features, ...shape.hidden, shape.classes];
  const out = new Float64Array(params.length);
  let at = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [ins, outs] = [widths[l]!, widths[l + 1]!];
    for (let o = 0; o < outs; o++) for (let i = 0; i < ins; i++) out[at + i * outs + o] = params[at + o * ins + i]!;
    at += ins * outs;
    out.set(params.subarray(at, at + outs), at);
    at += outs;
  }
  return out;
}

function setWeights(model: LayersModel, flat: Float64Array): void {
  let at = 0;
  tf.tidy(() =>
    model.setWeights(
      model.weights.map((w) => {
        const shape = w.shape as number[];
        const size = shape.reduce((a, b) => a * b, 1);
        const t = tf.tensor(Float32Array.from(flat.subarray(at, at + size)), shape);
        at += size;
        return t;
      }),
    ),
  );
}

const optimiserOf = (s: TrainingSettings) =>
  s.optimiser === 'adam' ? tf.train.adam(s.learningRate, 0.9, 0.999, 1e-8) : tf.train.sgd(s.learningRate);

/** tfjs's own training loop: model.compile + model.fit (tfjs shuffles with its own generator). */
export function tfjsFitTrainer(shape: MlpShape, backend: 'cpu' | 'wasm'): Trainer {
  return {
    name: `tfjs ${backend} backend, model.fit`,
    backend,
    async train(init, data, s) {
      await tf.setBackend(backend);
      await tf.ready();
      const model = tfjsMlp(shape);
      setWeights(model, toTfjsLayout(shape, init));
      const optimizer = optimiserOf(s);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const x = tf.tensor2d(Float32Array.from(data.x), [data.n, data.d]);
      const y = tf.tidy(() =>
        tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(data.y), 'int32'), shape.classes), 'float32'),
      );
      try {
        return await timed(
          () =>
            model.fit(x, y, {
              epochs: s.epochs,
              batchSize: s.batchSize,
              shuffle: true,
              verbose: 0,
              yieldEvery: 'never',
            }),
          () => tf.tidy(() => argmaxAccuracy((model.predict(x) as tf.Tensor).dataSync(), data)),
        );
      } finally {
        tf.dispose([x, y]);
        optimizer.dispose();
        model.dispose();
      }
    },
  };
}

/** @tessera/tfjs's tfjsModel through trainModel (its synchronous fitLocal: tfjs optimisers, our shuffling). */
export function tfjsAdapterTrainer(shape: MlpShape, backend: 'cpu' | 'wasm'): Trainer {
  return {
    name: `tfjs ${backend} backend, @tessera/tfjs fitLocal`,
    backend,
    async train(init, data, s) {
      await tf.setBackend(backend);
      await tf.ready();
      const layers = tfjsMlp(shape);
      const model = tfjsModel(layers, { task: 'multiclass' });
      const cfg = { learningRate: s.learningRate, batchSize: s.batchSize, epochs: s.epochs, optimiser: s.optimiser };
      try {
        return await timed(
          () => trainModel(model, toTfjsLayout(shape, init), data, cfg, seededRandom(s.seed)).params,
          (params) => argmaxAccuracy(model.predict(params, data), data),
        );
      } finally {
        layers.dispose();
      }
    },
  };
}
