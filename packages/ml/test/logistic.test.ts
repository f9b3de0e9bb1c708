import { describe, expect, it } from 'vitest';
import {
  accuracy,
  DEFAULT_LOGISTIC,
  evaluateBinary,
  logisticGradient,
  logisticInit,
  logLoss,
  matrixFromRows,
  predictProba,
  seededRandom,
  separableData,
  trainCentralized,
  trainLogistic,
  type LabeledData,
} from '../src/index.js';

function randomWeights(d: number, seed: string): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: d + 1 }, () => rng.gaussian());
}

describe('logistic model', () => {
  it('starts at zero with the bias last', () => {
    expect(Array.from(logisticInit(3))).toEqual([0, 0, 0, 0]);
  });

  it('predicts sigmoid(w·x + b), stably for huge logits', () => {
    const m = matrixFromRows([
      [1, 2],
      [-1000, 0],
      [1000, 0],
    ]);
    const p = predictProba(Float64Array.from([0.5, -0.25, 0.1]), m);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-(0.5 - 0.5 + 0.1))), 15);
    expect(p[1]).toBeGreaterThanOrEqual(0);
    expect(p[1]).toBeLessThan(1e-200);
    expect(p[2]).toBe(1);
    expect(() => predictProba(new Float64Array(2), m)).toThrow(/d\+1 = 3/);
  });
});

describe('logisticGradient', () => {
  const { data } = separableData(40, 6, seededRandom('grad-data'));
  const rows = [3, 17, 5, 29, 11, 0, 38];
  const l2 = 0.3;

  it('returns the batch loss: mean log loss plus (l2/2)||w||² without the bias', () => {
    const w = randomWeights(6, 'grad-w');
    const sub: LabeledData = { ...data, n: rows.length, x: new Float64Array(0), y: new Float64Array(0) };
    sub.x = Float64Array.from(rows.flatMap((r) => Array.from(data.x.subarray(r * 6, r * 6 + 6))));
    sub.y = Float64Array.from(rows.map((r) => data.y[r]));
    const penalty = w.subarray(0, 6).reduce((s, v) => s + v * v, 0);
    const expected = logLoss(sub.y, predictProba(w, sub)) + (l2 / 2) * penalty;
    expect(logisticGradient(w, data, rows, l2).loss).toBeCloseTo(expected, 12);
  });

  it('matches central finite differences of the loss', () => {
    const w = randomWeights(6, 'grad-w');
    const { gradient } = logisticGradient(w, data, rows, l2);
    const h = 1e-6;
    for (let j = 0; j < w.length; j++) {
      const plus = w.slice();
      const minus = w.slice();
      plus[j] += h;
      minus[j] -= h;
      const numeric =
        (logisticGradient(plus, data, rows, l2).loss - logisticGradient(minus, data, rows, l2).loss) / (2 * h);
      expect(gradient[j]).toBeCloseTo(numeric, 6);
    }
  });
});

describe('trainLogistic', () => {
  const rng = seededRandom('train-data');
  const { data: train, truth } = separableData(2000, 10, rng);
  const { data: test } = separableData(1000, 10, rng, truth);
  const cfg = { ...DEFAULT_LOGISTIC, epochs: 5 };

  it('learns a linearly separable problem', () => {
    const { weights, steps, meanLoss } = trainLogistic(logisticInit(10), train, cfg, seededRandom(1));
    expect(steps).toBe(5 * Math.ceil(2000 / 32));
    expect(meanLoss).toBeLessThan(Math.log(2) / 2);
    expect(evaluateBinary(weights, test).accuracy).toBeGreaterThan(0.95);
  });

  it('takes exactly -learningRate * gradient for one full batch from zero', () => {
    const m = matrixFromRows([
      [1, 2],
      [3, -1],
      [0, 1],
    ]);
    const data = { ...m, y: Float64Array.from([1, 0, 1]) };
    const { weights, steps, meanLoss } = trainLogistic(
      logisticInit(2),
      data,
      { l2: 0, learningRate: 0.5, batchSize: 8, epochs: 1 },
      seededRandom(0),
    );
    // at w = 0 every p is 1/2, so the gradient is mean((1/2 - y) x) = ((-1/2)(1,2) + (1/2)(3,-1) + (-1/2)(0,1)) / 3 =
    // (1/3, -2/3); bias (-1/2)/3
    expect(steps).toBe(1);
    expect(meanLoss).toBeCloseTo(Math.log(2), 14);
    expect(weights[0]).toBeCloseTo(-0.5 / 3, 14);
    expect(weights[1]).toBeCloseTo(1 / 3, 14);
    expect(weights[2]).toBeCloseTo(0.25 / 3, 14);
  });

  it('is deterministic for a seed and leaves its input untouched', () => {
    const start = randomWeights(10, 'start');
    const copy = start.slice();
    const a = trainLogistic(start, train, cfg, seededRandom('s'));
    const b = trainLogistic(start, train, cfg, seededRandom('s'));
    const c = trainLogistic(start, train, cfg, seededRandom('other'));
    expect(start).toEqual(copy);
    expect(a.weights).toEqual(b.weights);
    expect(a.meanLoss).toBe(b.meanLoss);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('validates its configuration', () => {
    expect(() => trainLogistic(logisticInit(10), train, { ...cfg, batchSize: 0 }, seededRandom(0))).toThrow(
      /batchSize/,
    );
    expect(() => trainLogistic(logisticInit(9), train, cfg, seededRandom(0))).toThrow(/d\+1/);
  });
});

describe('trainCentralized', () => {
  it('is epochs × rounds epochs of trainLogistic from zero', () => {
    const { data } = separableData(300, 4, seededRandom('central'));
    const cfg = { ...DEFAULT_LOGISTIC, epochs: 2 };
    const pooled = trainCentralized(data, { ...cfg, rounds: 3 }, seededRandom('c'));
    const direct = trainLogistic(logisticInit(4), data, { ...cfg, epochs: 6 }, seededRandom('c')).weights;
    expect(pooled).toEqual(direct);
    const p = predictProba(pooled, data);
    expect(accuracy(data.y, p)).toBeGreaterThan(0.9);
  });
});
