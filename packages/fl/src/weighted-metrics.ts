import type { EvaluationReport } from './strategy.js';

/**
 * Example-weighted mean of every metric that appears in any report. A NaN value is left out of its metric
 * only (its examples do not count towards that metric's denominator); a metric with no value is NaN.
 */
export function weightedMeanMetrics(reports: readonly EvaluationReport[]): Record<string, number> {
  const sums = new Map<string, { weighted: number; examples: number }>();
  for (const report of reports) {
    const weight = report.numExamples;
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new RangeError(
        `participant ${report.participant} reported numExamples ${weight}; expected a finite count >= 0`,
      );
    }
    for (const [name, value] of Object.entries(report.metrics)) {
      const acc = sums.get(name) ?? { weighted: 0, examples: 0 };
      sums.set(name, acc);
      if (Number.isNaN(value) || weight === 0) continue;
      acc.weighted += weight * value;
      acc.examples += weight;
    }
  }
  const out: Record<string, number> = {};
  for (const [name, { weighted, examples }] of sums) out[name] = examples > 0 ? weighted / examples : NaN;
  return out;
}

/**
 * Example-weighted mean of one metric. A report without a finite value for it is left out, examples and all (a
 * participant's infinite loss must not swamp the others'); NaN when no report counts.
 */
export function weightedMean(
  reports: Iterable<Pick<EvaluationReport, 'numExamples' | 'metrics'>>,
  metric: string,
): number {
  let sum = 0;
  let examples = 0;
  for (const report of reports) {
    const value = report.metrics[metric];
    if (value !== undefined && Number.isFinite(value)) {
      sum += value * report.numExamples;
      examples += report.numExamples;
    }
  }
  return examples > 0 ? sum / examples : Number.NaN;
}
