import { describe, expect, it } from 'vitest';
import { mlpModel, seededRandom, takeRows, trainModel, type LabeledData } from '@tessera/ml';
import { tfjsModel, tfl } from '@tessera/tfjs';
import { argmaxAccuracy, loadDigits } from './digits.js';

const SETTINGS = { learningRate: 0.05, batchSize: 32, epochs: 5 };

function split(data: LabeledData): { train: LabeledData; test: LabeledData } {
  const order = Array.from({ length: data.n }, (_, i) => i);
  seededRandom('digits split').shuffle(order);
  const cut = Math.round(data.n * 0.8);
  return { train: takeRows(data, order.slice(0, cut)), test: takeRows(data, order.slice(cut)) };
}

describe('a tfjs LayersModel against the built-in MLP on digits', () => {
  it('64 -> [64, 32] -> 10: both reach held-out accuracies within 0.03 of each other after 5 epochs of SGD', () => {
    const { train, test } = split(loadDigits());
    const layers = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 32, activation: 'relu' }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    const tfjs = tfjsModel(layers, { task: 'multiclass' });
    const builtIn = mlpModel({ features: 64, hidden: [64, 32], head: 'softmax', classes: 10, l2: 0 });
    expect(tfjs.size).toBe(builtIn.size);
    const accuracy = (model: typeof tfjs, seed: string) => {
      const rng = seededRandom(seed);
      const { params } = trainModel(model, model.init(rng), train, SETTINGS, rng);
      return argmaxAccuracy(model.predict(params, test), test);
    };
    const a = accuracy(tfjs, 'tfjs');
    const b = accuracy(builtIn, 'built-in');
    expect(a).toBeGreaterThanOrEqual(0.9);
    expect(b).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(0.03);
  });
});
