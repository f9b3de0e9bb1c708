import { describe, expect, it } from 'vitest';
import { seededRandom, type LabeledData } from '@tessera/ml';
import { tf, tfjsModel, tfl } from '@tessera/tfjs';

function tiny(regularise = false): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }));
  m.add(
    tfl.layers.dense({
      units: 3,
      activation: 'softmax',
      ...(regularise ? { kernelRegularizer: tfl.regularizers.l2({ l2: 0.1 }) } : {}),
    }),
  );
  return m;
}

const DATA: LabeledData = {
  x: Float64Array.from([0.5, -1, 2, 1, 0.2, -0.3, -1.5, 0.7, 0.1, 0.3, 0.3, -0.8, 2, -2, 0.4]),
  y: Float64Array.from([0, 2, 1, 1, 0]),
  n: 5,
  d: 3,
};
const ALL = Uint32Array.from([0, 1, 2, 3, 4]);

describe('tfjsModel', () => {
  it('lays the weights end to end: size, and a get -> flatten -> set -> get round trip', () => {
    const layers = tiny();
    const model = tfjsModel(layers, { task: 'multiclass' });
    expect(model).toMatchObject({
      kind: 'tfjs',
      task: 'multiclass',
      features: 3,
      outputs: 3,
      size: 3 * 4 + 4 + 4 * 3 + 3,
    });
    const params = model.init(seededRandom('round trip'));
    model.predict(params, DATA); // writes params into the LayersModel
    const weights = layers.getWeights(); // the model's own variables: not to be disposed
    const flat = Float64Array.from(weights.flatMap((t) => Array.from(t.dataSync())));
    expect(flat).toEqual(Float64Array.from(Float32Array.from(params)));
    model.predict(flat, DATA);
    const again = layers.getWeights();
    expect(Float64Array.from(again.flatMap((t) => Array.from(t.dataSync())))).toEqual(flat);
  });

  it('init draws Glorot-uniform kernels and zero biases from the given rng, the same for the same seed', () => {
    const model = tfjsModel(tiny(), { task: 'multiclass' });
    const a = model.init(seededRandom('seed'));
    expect(model.init(seededRandom('seed'))).toEqual(a);
    expect(model.init(seededRandom('other'))).not.toEqual(a);
    const limit = Math.sqrt(6 / (3 + 4));
    const kernel = a.subarray(0, 12);
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(limit / 2);
    expect([...a.subarray(12, 16)]).toEqual([0, 0, 0, 0]);
  });

  it('its gradient is the finite difference of its loss, L2 penalty included', () => {
    const model = tfjsModel(tiny(true), { task: 'multiclass' });
    const params = model.init(seededRandom('fd'));
    const gradient = new Float64Array(model.size);
    const scratch = new Float64Array(model.size);
    const loss = model.lossAndGradient(params, DATA, ALL, 0, 5, gradient);
    expect(loss).toBeGreaterThan(0);
    const h = 1e-2;
    for (let j = 0; j < model.size; j++) {
      const plus = params.slice();
      const minus = params.slice();
      plus[j]! += h;
      minus[j]! -= h;
      const numeric =
        (model.lossAndGradient(plus, DATA, ALL, 0, 5, scratch) -
          model.lossAndGradient(minus, DATA, ALL, 0, 5, scratch)) /
        (2 * h);
      expect(gradient[j], `parameter ${j}`).toBeCloseTo(numeric, 2);
    }
  });

  it('forEachExampleGradient: per-row gradients average to the batch gradient (no penalty)', () => {
    const model = tfjsModel(tiny(), { task: 'multiclass' });
    const params = model.init(seededRandom('rows'));
    const sum = new Float64Array(model.size);
    const seen: number[] = [];
    const mean = model.forEachExampleGradient(params, DATA, (g, row) => {
      seen.push(row);
      for (let j = 0; j < g.length; j++) sum[j]! += g[j]! / DATA.n;
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const batch = new Float64Array(model.size);
    expect(mean).toBeCloseTo(model.lossAndGradient(params, DATA, ALL, 0, 5, batch), 5);
    for (let j = 0; j < model.size; j++) expect(sum[j]).toBeCloseTo(batch[j]!, 5);
  });

  it('creates no lasting tensor across 20 calls of each method', () => {
    const model = tfjsModel(tiny(true), { task: 'multiclass' });
    const rng = seededRandom('leak');
    const params = model.init(rng);
    const gradient = new Float64Array(model.size);
    const run = () => {
      model.lossAndGradient(params, DATA, ALL, 0, 5, gradient, rng);
      model.forEachExampleGradient(params, DATA, () => {});
      model.predict(params, DATA);
      model.fitLocal!(params, DATA, { learningRate: 0.1, batchSize: 2, epochs: 1, optimiser: 'adam' }, rng);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fitLocal lowers the loss, leaves its input alone and refuses FedProx', () => {
    const model = tfjsModel(tiny(), { task: 'multiclass' });
    const rng = seededRandom('fit');
    const params = model.init(rng);
    const copy = params.slice();
    const g = new Float64Array(model.size);
    const before = model.lossAndGradient(params, DATA, ALL, 0, 5, g);
    const r = model.fitLocal!(params, DATA, { learningRate: 0.5, batchSize: 5, epochs: 30 }, rng);
    expect(r.steps).toBe(30);
    expect(params).toEqual(copy);
    expect(model.lossAndGradient(r.params, DATA, ALL, 0, 5, g)).toBeLessThan(before / 2);
    expect(() =>
      model.fitLocal!(
        params,
        DATA,
        { learningRate: 0.1, batchSize: 2, epochs: 1, proximalMu: 0.1, anchor: params },
        rng,
      ),
    ).toThrow(/proximalMu 0.1: FedProx is not supported for tfjs models/);
  });

  it('refuses shapes and options that do not fit, naming them', () => {
    expect(() => tfjsModel(tiny(), { task: 'binary' })).toThrow(/binary model has one output unit, this one has 3/);
    expect(() => tfjsModel(tiny(), { task: 'multiclass', classes: 4 })).toThrow(/classes 4 .* output width 3/);
    expect(() => tfjsModel(tiny(), { task: 'multiclass', loss: 'meanSquaredError' })).toThrow(
      /loss "meanSquaredError" does not fit task 'multiclass'/,
    );
    const model = tfjsModel(tiny(), { task: 'multiclass' });
    expect(() => model.predict(new Float64Array(3), DATA)).toThrow(/parameters have length 3, expected 31/);
    const bad = { ...DATA, y: Float64Array.from([0, 1, 2, 3, 0]) };
    expect(() => model.lossAndGradient(model.init(seededRandom('x')), bad, ALL, 0, 5, new Float64Array(31))).toThrow(
      /label 3 of row 3 is not a class index in \[0, 3\)/,
    );
  });
});
