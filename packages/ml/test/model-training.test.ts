import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOGISTIC,
  evaluateModel,
  type LabeledData,
  linearModel,
  logisticGradient,
  logisticModel,
  mlpModel,
  seededRandom,
  separableData,
  softmaxModel,
  trainCentralized,
  trainCentralizedModel,
  trainLogistic,
  trainModel,
} from '../src/index.js';
import { loadExample, splitStandardised } from './datasets.js';

describe('logisticModel', () => {
  const { data } = separableData(300, 7, seededRandom('bitwise-data'));

  it('has the old loss and gradient, bias last', () => {
    const model = logisticModel({ features: 7, l2: 0.01 });
    const rng = seededRandom('bitwise-w');
    const w = Float64Array.from({ length: 8 }, () => rng.gaussian());
    const rows = [5, 99, 3, 250];
    const gradient = new Float64Array(8);
    const loss = model.lossAndGradient(w, data, rows, 0, rows.length, gradient);
    const old = logisticGradient(w, data, rows, 0.01);
    expect(loss).toBe(old.loss);
    expect(gradient).toEqual(old.gradient);
  });

  it('trains bit for bit as trainLogistic on a seeded run, and trainCentralizedModel as trainCentralized', () => {
    const model = logisticModel({ features: 7, l2: DEFAULT_LOGISTIC.l2 });
    const cfg = { ...DEFAULT_LOGISTIC, epochs: 3, batchSize: 16 };
    const start = Float64Array.from({ length: 8 }, (_, j) => (j - 3) / 10);
    const old = trainLogistic(start, data, cfg, seededRandom('same-run'));
    const ours = trainModel(model, start, data, cfg, seededRandom('same-run'));
    expect(ours.params).toEqual(old.weights);
    expect(ours.meanLoss).toBe(old.meanLoss);
    expect(ours.steps).toBe(old.steps);
    expect(start[0]).toBe(-0.3);
    const central = trainCentralizedModel(model, data, { ...cfg, rounds: 2 }, seededRandom('central'));
    expect(central).toEqual(trainCentralized(data, { ...cfg, rounds: 2 }, seededRandom('central')));
  });
});

/** R² of the least-squares fit with intercept, from the normal equations solved by Gaussian elimination. */
function leastSquaresR2(data: LabeledData): number {
  const p = data.d + 1;
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  const row = new Float64Array(p);
  for (let i = 0; i < data.n; i++) {
    row.set(data.x.subarray(i * data.d, (i + 1) * data.d));
    row[data.d] = 1;
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r]![c]! += row[r]! * row[c]!;
      a[r]![p]! += row[r]! * data.y[i]!;
    }
  }
  for (let k = 0; k < p; k++) {
    let pivot = k;
    for (let r = k + 1; r < p; r++) if (Math.abs(a[r]![k]!) > Math.abs(a[pivot]![k]!)) pivot = r;
    [a[k], a[pivot]] = [a[pivot]!, a[k]!];
    for (let r = 0; r < p; r++) {
      if (r === k) continue;
      const f = a[r]![k]! / a[k]![k]!;
      for (let c = k; c <= p; c++) a[r]![c]! -= f * a[k]![c]!;
    }
  }
  const beta = a.map((r, k) => r[p]! / r[k]!);
  let sse = 0;
  let mean = 0;
  for (let i = 0; i < data.n; i++) mean += data.y[i]! / data.n;
  let sst = 0;
  for (let i = 0; i < data.n; i++) {
    let yhat = beta[data.d]!;
    for (let j = 0; j < data.d; j++) yhat += beta[j]! * data.x[i * data.d + j]!;
    sse += (data.y[i]! - yhat) ** 2;
    sst += (data.y[i]! - mean) ** 2;
  }
  return 1 - sse / sst;
}

describe('linearModel on diabetes', () => {
  const { train } = splitStandardised(loadExample('diabetes'), 'diabetes', 1);
  let mean = 0;
  for (const v of train.y) mean += v / train.n;
  let sd = 0;
  for (const v of train.y) sd += (v - mean) ** 2 / train.n;
  sd = Math.sqrt(sd);
  const standardLabel = { ...train, y: train.y.map((v) => (v - mean) / sd) };
  const best = leastSquaresR2(train);

  it.each([
    ['sgd', 0.05, standardLabel],
    ['adam', 0.01, standardLabel],
  ] as const)('reaches the least-squares R² within 0.02 (%s, standardised label)', (optimiser, rate, data) => {
    const model = linearModel({ features: train.d, l2: 0 });
    const cfg = { learningRate: rate, batchSize: 32, epochs: 60, optimiser };
    const params = trainCentralizedModel(model, data, cfg, seededRandom('diabetes-train'));
    const metrics = evaluateModel(model, params, data);
    expect(best).toBeGreaterThan(0.5);
    expect(metrics.r2).toBeGreaterThan(best - 0.02);
    expect(metrics.r2).toBeLessThanOrEqual(best + 1e-9);
    expect(metrics.loss).toBeCloseTo(metrics.mse! / 2, 12);
  });
});

describe('softmaxModel on wine', () => {
  const { train, test } = splitStandardised(loadExample('wine'), 'wine-split');

  it.each([
    ['sgd', 0.1],
    ['adam', 0.01],
  ] as const)('reaches >= 0.9 test accuracy (%s)', (optimiser, learningRate) => {
    const model = softmaxModel({ features: 13, classes: 3, l2: 1e-4 });
    const cfg = { learningRate, batchSize: 16, epochs: 30, optimiser };
    const params = trainCentralizedModel(model, train, cfg, seededRandom('wine-train'));
    const metrics = evaluateModel(model, params, test);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(metrics.macroF1).toBeGreaterThanOrEqual(0.85);
    expect(metrics.n).toBe(test.n);
  });
});

describe('mlpModel on digits', () => {
  const { train, test } = splitStandardised(loadExample('digits'), 'digits-split');

  it.each([
    ['sgd', 0.05],
    ['adam', 0.002],
  ] as const)('reaches >= 0.9 test accuracy with hidden [64] in a few epochs (%s)', (optimiser, learningRate) => {
    const model = mlpModel({ features: 64, hidden: [64], head: 'softmax', classes: 10, l2: 1e-4 });
    const cfg = { learningRate, batchSize: 32, epochs: 8, optimiser };
    const started = performance.now();
    const params = trainCentralizedModel(model, train, cfg, seededRandom('digits-train'));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(evaluateModel(model, params, test).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('dropout changes training but not predict', () => {
    const plain = mlpModel({ features: 64, hidden: [32], head: 'softmax', classes: 10, l2: 0 });
    const dropping = mlpModel({ features: 64, hidden: [32], head: 'softmax', classes: 10, l2: 0, dropout: 0.3 });
    const cfg = { learningRate: 0.05, batchSize: 32, epochs: 1 };
    const start = plain.init(seededRandom('dropout-init'));
    const a = trainModel(plain, start, train, cfg, seededRandom('dropout-train')).params;
    const b = trainModel(dropping, start, train, cfg, seededRandom('dropout-train')).params;
    expect(a).not.toEqual(b);
    expect(dropping.predict(b, test)).toEqual(plain.predict(b, test));
    expect(dropping.predict(b, test)).toEqual(dropping.predict(b, test));
  });
});

describe('trainModel', () => {
  const { data } = separableData(400, 6, seededRandom('prox-data'));
  const model = mlpModel({ features: 6, hidden: [8], head: 'sigmoid', l2: 0 });
  const anchor = model.init(seededRandom('prox-anchor'));
  const distance = (p: Float64Array) => Math.sqrt(p.reduce((s, v, j) => s + (v - anchor[j]!) ** 2, 0));

  it('keeps the parameters near the anchor under a huge FedProx mu', () => {
    const cfg = { learningRate: 0.01, batchSize: 20, epochs: 5 };
    const free = trainModel(model, anchor, data, cfg, seededRandom('prox'));
    const held = trainModel(model, anchor, data, { ...cfg, proximalMu: 100, anchor }, seededRandom('prox'));
    expect(distance(free.params)).toBeGreaterThan(0.2);
    expect(distance(held.params)).toBeLessThan(distance(free.params) / 20);
    expect(held.steps).toBe(100);
  });

  it('leaves the input untouched and rejects bad settings naming them', () => {
    const before = anchor.slice();
    const cfg = { learningRate: 0.1, batchSize: 8, epochs: 1 };
    trainModel(model, anchor, data, { ...cfg, optimiser: 'adam' }, seededRandom('x'));
    expect(anchor).toEqual(before);
    const rng = seededRandom('bad');
    expect(() => trainModel(model, anchor, data, { ...cfg, proximalMu: 1 }, rng)).toThrow(/needs the anchor/);
    const short = { ...cfg, proximalMu: 1, anchor: anchor.subarray(1) };
    expect(() => trainModel(model, anchor, data, short, rng)).toThrow(/anchor has length/);
    expect(() => trainModel(model, anchor, data, { ...cfg, batchSize: 0 }, rng)).toThrow(/batchSize/);
    const wrong = { ...cfg, optimiser: 'rmsprop' as 'sgd' };
    expect(() => trainModel(model, anchor, data, wrong, rng)).toThrow(/optimiser must be/);
    expect(trainModel(model, anchor, data, { ...cfg, epochs: 0 }, rng).meanLoss).toBeNaN();
  });

  it("uses the model's own fitLocal when it has one", () => {
    const base = logisticModel({ features: 6, l2: 0 });
    const calls: number[] = [];
    const own = {
      ...base,
      fitLocal: (p: Float64Array, d: LabeledData) => {
        calls.push(d.n);
        return { params: p.map((v) => v + 1), meanLoss: 0.5, steps: 1 };
      },
    };
    const cfg = { learningRate: 0.1, batchSize: 8, epochs: 3 };
    const result = trainModel(own, new Float64Array(7), data, cfg, seededRandom('own'));
    expect(calls).toEqual([400]);
    expect(Array.from(result.params)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
});
