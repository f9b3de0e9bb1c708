import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateModel,
  type LabeledData,
  linearModel,
  logisticModel,
  metricSums,
  metricSumsLength,
  metricsFromSums,
  mlpModel,
  type Model,
  seededRandom,
  softmaxModel,
} from '../src/index.js';

const d = 3;

function paramsOf(model: Model, seed: string): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: model.size }, () => rng.gaussian());
}

function concat(a: LabeledData, b: LabeledData): LabeledData {
  const x = new Float64Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float64Array(a.n + b.n);
  y.set(a.y);
  y.set(b.y, a.n);
  return { x, y, n: a.n + b.n, d };
}

function expectNear(actual: number, expected: number): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else if (actual !== expected)
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

const rowsOf = (label: fc.Arbitrary<number>) =>
  fc
    .array(fc.tuple(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d }), label), {
      maxLength: 25,
    })
    .map(
      (rows): LabeledData => ({
        x: Float64Array.from(rows.flatMap(([x]) => x)),
        y: Float64Array.from(rows.map(([, y]) => y)),
        n: rows.length,
        d,
      }),
    );

const cases: [string, Model, fc.Arbitrary<number>][] = [
  ['binary', logisticModel({ features: d, l2: 0 }), fc.integer({ min: 0, max: 1 })],
  // Integer labels keep Σy and Σy² exact, so the two sides share SST = Σy² - (Σy)²/n to the last bit: with real
  // labels R² is ill-conditioned when SST ≪ Σy² (nearly constant labels), for sums added in any order.
  ['regression', linearModel({ features: d, l2: 0 }), fc.integer({ min: -50, max: 50 })],
  ['multiclass', softmaxModel({ features: d, classes: 4, l2: 0 }), fc.integer({ min: 0, max: 3 })],
  [
    'multiclass mlp',
    mlpModel({ features: d, hidden: [5], head: 'softmax', classes: 3, l2: 0 }),
    fc.integer({ min: 0, max: 2 }),
  ],
];

describe.each(cases)('%s metric sums', (name, model, label) => {
  const params = paramsOf(model, `metrics-${name}`);
  const counts = model.task === 'regression' ? [0] : [0, 2];

  it('decode, added over disjoint rows, to the metrics of the union', () => {
    fc.assert(
      fc.property(rowsOf(label), rowsOf(label), (a, b) => {
        fc.pre(a.n + b.n > 0);
        const sa = metricSums(model, params, a);
        const sb = metricSums(model, params, b);
        const union = concat(a, b);
        const su = metricSums(model, params, union);
        expect(sa).toHaveLength(metricSumsLength(model.task, model.outputs));
        const added = sa.map((v, i) => v + sb[i]!);
        const tail = Array.from({ length: added.length - 3 }, (_, k) => k + 3);
        const countEntries = model.task === 'multiclass' ? [...counts, ...tail] : counts;
        for (const i of countEntries) {
          expect(Number.isInteger(added[i])).toBe(true);
          expect(added[i]).toBe(su[i]);
        }
        const decoded = metricsFromSums(model.task, model.outputs, added);
        const direct = evaluateModel(model, params, union);
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(direct).sort());
        for (const [key, value] of Object.entries(direct)) {
          if (key !== 'auc') expectNear(decoded[key]!, value);
        }
        if (model.task === 'binary') {
          // AUC is no sum over rows: the decoded value is the n-weighted mean of the parts' AUCs.
          const parts = [a, b].filter((p) => metricSums(model, params, p)[3]! > 0);
          const weighted = parts.reduce((s, p) => s + p.n * evaluateModel(model, params, p).auc!, 0);
          const weight = parts.reduce((s, p) => s + p.n, 0);
          expectNear(decoded.auc!, weight > 0 ? weighted / weight : Number.NaN);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('metricsFromSums', () => {
  it('computes macroF1 of a hand-made confusion matrix over the classes that occur', () => {
    // A softmax model that predicts the class whose one-hot feature is set: x = one-hot(prediction), y = truth.
    const model = softmaxModel({ features: 4, classes: 4, l2: 0 });
    const params = new Float64Array(model.size);
    for (let c = 0; c < 4; c++) params[c * 5 + c] = 20;
    // (truth, prediction): class 0 TP 3 FP 1 FN 1; class 1 TP 2 FP 1 FN 1; class 2 TP 1 FP 1 FN 1; class 3 absent.
    const pairs = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 1],
      [1, 2],
      [2, 0],
      [2, 2],
    ] as const;
    const x = new Float64Array(pairs.length * 4);
    pairs.forEach(([, p], i) => {
      x[i * 4 + p] = 1;
    });
    const data = { x, y: Float64Array.from(pairs.map(([t]) => t)), n: pairs.length, d: 4 };
    const sums = metricSums(model, params, data);
    expect(Array.from(sums.subarray(2))).toEqual([6, 3, 2, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    const metrics = metricsFromSums('multiclass', 4, sums);
    expect(metrics.macroF1).toBeCloseTo((6 / 8 + 4 / 6 + 2 / 4) / 3, 12);
    expect(metrics.accuracy).toBeCloseTo(6 / 9, 12);
    expect(metrics.logLoss).toBe(metrics.loss);
    expect(metrics.n).toBe(9);
  });

  it('gives regression metrics with loss = MSE/2, and NaN r2 for a constant label', () => {
    const model = linearModel({ features: 1, l2: 0 });
    const data = { x: Float64Array.from([0, 1, 2, 3]), y: Float64Array.from([1, 3, 2, 6]), n: 4, d: 1 };
    const m = evaluateModel(model, Float64Array.from([1, 0.5]), data); // ŷ = x + 0.5: errors -0.5, -1.5, 0.5, -2.5
    expect(m.mse).toBeCloseTo((0.25 + 2.25 + 0.25 + 6.25) / 4, 12);
    expect(m.loss).toBeCloseTo(m.mse! / 2, 12);
    expect(m.mae).toBeCloseTo(5 / 4, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(m.mse!), 12);
    expect(m.r2).toBeCloseTo(1 - 9 / 14, 12);
    expect(evaluateModel(model, Float64Array.from([1, 0.5]), { ...data, y: data.y.fill(7) }).r2).toBeNaN();
  });

  it('rejects sums of the wrong length and multiclass labels out of range', () => {
    expect(() => metricsFromSums('binary', 1, new Float64Array(4))).toThrow(/expected 5/);
    const model = softmaxModel({ features: 1, classes: 3, l2: 0 });
    const data = { x: Float64Array.from([0]), y: Float64Array.from([3]), n: 1, d: 1 };
    expect(() => metricSums(model, new Float64Array(model.size), data)).toThrow(/class index 0..2/);
  });
});
