import { describe, expect, it } from 'vitest';
import {
  type LabeledData,
  linearModel,
  logisticModel,
  mlpModel,
  type Model,
  seededRandom,
  softmaxModel,
} from '../src/index.js';

const n = 12;
const d = 5;

function dataFor(task: Model['task'], classes: number, seed: string): LabeledData {
  const rng = seededRandom(seed);
  const x = Float64Array.from({ length: n * d }, () => rng.gaussian());
  const y = Float64Array.from({ length: n }, (_, i) =>
    task === 'binary' ? i % 2 : task === 'multiclass' ? i % classes : rng.gaussian() * 2 + 1,
  );
  return { x, y, n, d };
}

function randomParams(model: Model, seed: string): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: model.size }, () => rng.gaussian() * 0.7);
}

/** Central differences of f at p, coordinate by coordinate. */
function numericGradient(f: (p: Float64Array) => number, p: Float64Array): Float64Array {
  const h = 1e-5;
  return p.map((_, j) => {
    const plus = p.slice();
    const minus = p.slice();
    plus[j] += h;
    minus[j] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

function expectClose(analytic: Float64Array, numeric: Float64Array): void {
  let worst = 0;
  for (let j = 0; j < analytic.length; j++) {
    const scale = Math.max(1, Math.abs(numeric[j]!));
    worst = Math.max(worst, Math.abs(analytic[j]! - numeric[j]!) / scale);
  }
  expect(worst).toBeLessThan(1e-6);
}

const factories: [string, (l2: number) => Model][] = [
  ['logistic', (l2) => logisticModel({ features: d, l2 })],
  ['linear', (l2) => linearModel({ features: d, l2 })],
  ['softmax', (l2) => softmaxModel({ features: d, classes: 3, l2 })],
  ['mlp sigmoid [4]', (l2) => mlpModel({ features: d, hidden: [4], head: 'sigmoid', l2 })],
  ['mlp softmax [6, 3]', (l2) => mlpModel({ features: d, hidden: [6, 3], head: 'softmax', classes: 4, l2 })],
  ['mlp linear [5, 4, 3]', (l2) => mlpModel({ features: d, hidden: [5, 4, 3], head: 'linear', l2 })],
  ['mlp with dropout, no rng', (l2) => mlpModel({ features: d, hidden: [7], head: 'sigmoid', l2, dropout: 0.5 })],
];

describe.each(factories)('%s gradients', (name, make) => {
  const model = make(0.3);
  const data = dataFor(model.task, model.outputs, `grad-data-${name}`);
  const params = randomParams(model, `grad-params-${name}`);
  const rows = Uint32Array.from([3, 7, 0, 11, 5, 2, 9]);

  it('lossAndGradient matches finite differences of its loss (penalty included)', () => {
    const gradient = new Float64Array(model.size);
    const loss = model.lossAndGradient(params, data, rows, 1, 6, gradient);
    const scratch = new Float64Array(model.size);
    const f = (p: Float64Array) => model.lossAndGradient(p, data, rows, 1, 6, scratch);
    expect(loss).toBe(f(params));
    expect(Number.isFinite(loss)).toBe(true);
    expectClose(gradient, numericGradient(f, params));
  });

  it('forEachExampleGradient gives each row the gradient of its own loss, without penalty', () => {
    const unpenalised = make(0);
    const perRow: Float64Array[] = [];
    const mean = model.forEachExampleGradient(params, data, (g, row) => {
      expect(row).toBe(perRow.length);
      perRow.push(g.slice());
    });
    expect(perRow).toHaveLength(n);
    const scratch = new Float64Array(model.size);
    let total = 0;
    for (let row = 0; row < n; row++) {
      const f = (p: Float64Array) => unpenalised.lossAndGradient(p, data, [row], 0, 1, scratch);
      total += f(params);
      if (row % 4 === 0) expectClose(perRow[row]!, numericGradient(f, params));
    }
    expect(mean).toBeCloseTo(total / n, 12);
  });

  it('rejects parameters, gradients and batches of the wrong shape', () => {
    const gradient = new Float64Array(model.size);
    expect(() => model.lossAndGradient(params.subarray(1), data, rows, 0, 2, gradient)).toThrow(/expected/);
    expect(() => model.lossAndGradient(params, data, rows, 0, 2, gradient.subarray(1))).toThrow(/gradient/);
    expect(() => model.lossAndGradient(params, data, rows, 2, 2, gradient)).toThrow(/start < end/);
    expect(() => model.predict(params, { x: new Float64Array(4), n: 1, d: 4 })).toThrow(/4 features/);
  });
});

describe('mlp dropout gradient', () => {
  it('matches finite differences with the same dropout masks (the same rng seed)', () => {
    const model = mlpModel({ features: d, hidden: [8, 6], head: 'softmax', classes: 3, l2: 0.1, dropout: 0.4 });
    const data = dataFor('multiclass', 3, 'dropout-data');
    const params = randomParams(model, 'dropout-params');
    const rows = Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const gradient = new Float64Array(model.size);
    const scratch = new Float64Array(model.size);
    const f = (p: Float64Array) => model.lossAndGradient(p, data, rows, 0, 8, scratch, seededRandom('masks'));
    const loss = model.lossAndGradient(params, data, rows, 0, 8, gradient, seededRandom('masks'));
    expect(loss).toBe(f(params));
    expect(loss).not.toBe(model.lossAndGradient(params, data, rows, 0, 8, scratch));
    expectClose(gradient, numericGradient(f, params));
  });
});
