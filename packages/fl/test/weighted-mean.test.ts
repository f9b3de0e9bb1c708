import { describe, expect, it } from 'vitest';
import { weightedMean } from '@tessera/fl';

const report = (numExamples: number, metrics: Record<string, number>) => ({ numExamples, metrics });

describe('weightedMean', () => {
  it('weighs each value by its examples', () => {
    expect(weightedMean([report(1, { loss: 1 }), report(3, { loss: 2 })], 'loss')).toBeCloseTo(1.75, 12);
  });

  it('leaves out a report without a finite value, and its examples', () => {
    const reports = [report(2, { loss: 0.5 }), report(5, { loss: Number.NaN }), report(7, { loss: Infinity })];
    expect(weightedMean([...reports, report(9, { auc: 0.7 })], 'loss')).toBe(0.5);
  });

  it('is NaN when no report counts', () => {
    expect(weightedMean([], 'loss')).toBeNaN();
    expect(weightedMean([report(3, { auc: 0.5 }), report(0, { loss: 1 })], 'loss')).toBeNaN();
  });
});
