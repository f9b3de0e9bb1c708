import { auc } from '@tessera/ml';
import { binFeature, binOf, boostConfig, predictGbdt, quantileEdges, trainGbdt } from '@tessera/vertical';
import { describe, expect, it } from 'vitest';
import { bestSplit } from '../src/boost/split.js';
import { gradientBits, logisticGradients } from '../src/boost/tree.js';
import { breastCancerBoost } from './boost-fixture.js';

describe('quantile binning', () => {
  it('cuts at quantiles, and bin <= t is the same as x <= edges[t]', () => {
    const column = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const edges = quantileEdges(column, 32);
    expect(edges).toHaveLength(31);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
    const { bins } = binFeature(column, 32);
    const counts = new Array(32).fill(0);
    for (const b of bins) counts[b]++;
    for (const c of counts) expect(Math.abs(c - 1000 / 32)).toBeLessThanOrEqual(2);
    column.forEach((x, i) => {
      for (let t = 0; t < edges.length; t++) expect(bins[i]! <= t).toBe(x <= edges[t]!);
    });
  });

  it('has fewer bins when a column has few distinct values', () => {
    const binary = Float64Array.from({ length: 100 }, (_, i) => i % 2);
    expect(Array.from(quantileEdges(binary, 32))).toEqual([0]);
    expect(binOf(0, Float64Array.of(0))).toBe(0);
    expect(binOf(1, Float64Array.of(0))).toBe(1);
  });
});

describe('XGBoost split gain', () => {
  it('matches the formula on a hand-made histogram and respects min child weight', () => {
    const g = Float64Array.of(-4, -2, 3, 5);
    const h = Float64Array.of(1, 1, 1, 1);
    const best = bestSplit([{ g, h }], 1, 1)!;
    // Left {0, 1}: G = -6, H = 2; right {2, 3}: G = 8, H = 2; parent G = 2, H = 4.
    expect(best.threshold).toBe(1);
    expect(best.gain).toBeCloseTo((36 / 3 + 64 / 3 - 4 / 5) / 2, 12);
    expect(bestSplit([{ g, h }], 1, 2.5)).toBeUndefined();
  });

  it('breaks ties towards the earlier feature', () => {
    const hist = { g: Float64Array.of(-1, 1), h: Float64Array.of(1, 1) };
    expect(bestSplit([hist, hist], 1, 0)!.feature).toBe(0);
  });
});

describe('plaintext GBDT', () => {
  const data = breastCancerBoost();
  const train = [...data.guestTrain, ...data.hostTrain];
  const test = [...data.guestTest, ...data.hostTest];

  it('is deterministic and accurate on breast cancer', () => {
    const a = trainGbdt(train, data.yTrain);
    const b = trainGbdt(train, data.yTrain);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(auc(data.yTest, predictGbdt(a, test))).toBeGreaterThan(0.95);
  });

  it('fits better with more trees and a tree never deeper than asked', () => {
    const depthOf = (t: object): number =>
      'leaf' in t ? 0 : 1 + Math.max(...['left', 'right'].map((k) => depthOf((t as never)[k])));
    const model = trainGbdt(train, data.yTrain, { trees: 5, depth: 2 });
    for (const t of model.trees) expect(depthOf(t)).toBeLessThanOrEqual(2);
    const loss = (trees: number) => {
      const m = predictGbdt(trainGbdt(train, data.yTrain, { trees, depth: 2 }), train);
      return m.reduce((s, z, i) => s + Math.log1p(Math.exp(-(2 * data.yTrain[i]! - 1) * z)), 0);
    };
    expect(loss(5)).toBeLessThan(loss(1));
  });

  it('rounds gradients and hessians to the fixed-point grid SecureBoost encrypts', () => {
    const { g, h } = logisticGradients(Float64Array.of(0.3, -2), Float64Array.of(1, 0));
    const scale = 2 ** gradientBits(2);
    for (const v of [...g, ...h]) expect(Number.isInteger(v * scale)).toBe(true);
    expect(gradientBits(100_000) * 1).toBe(12);
  });

  it('refuses bad hyperparameters naming the field', () => {
    expect(() => boostConfig({ bins: 64 })).toThrow(/bins must be an integer from 2 to 32, got 64/);
    expect(() => boostConfig({ learningRate: 0 })).toThrow(/learningRate/);
    expect(() => trainGbdt([Float64Array.of(1, 2)], Float64Array.of(1))).toThrow(/features\[0\] has 2 rows/);
  });
});
