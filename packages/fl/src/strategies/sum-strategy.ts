import type { EvaluationReport, FitPlan, Strategy, SummedUpdates } from '../strategy.js';
import { weightedMeanMetrics } from '../weighted-metrics.js';
import { type FitOptions, FitSampling } from './fit-sampling.js';

/**
 * What every strategy on sums shares: FitSampling's participant sampling and local settings, example-count
 * weights, and example-weighted metrics. Subclasses decide only how the summed deltas move the global model.
 */
export abstract class SumStrategy implements Strategy {
  abstract readonly name: string;
  protected readonly sampling: FitSampling;

  constructor(opts: FitOptions = {}) {
    this.sampling = new FitSampling(opts);
  }

  get fractionFit(): number {
    return this.sampling.fractionFit;
  }

  get minFitParticipants(): number {
    return this.sampling.minFitParticipants;
  }

  configureFit(round: number, available: readonly string[]): FitPlan {
    return this.sampling.plan(round, available);
  }

  contributionWeight(numExamples: number): number {
    if (!(Number.isFinite(numExamples) && numExamples >= 0))
      throw new RangeError(`numExamples must be a finite count >= 0, got ${numExamples}`);
    return numExamples;
  }

  abstract aggregateFit(round: number, global: Float64Array, summed: SummedUpdates): Float64Array;

  aggregateEvaluate(_round: number, reports: readonly EvaluationReport[]): Record<string, number> {
    return weightedMeanMetrics(reports);
  }
}

/** Throws unless the summed update and the global model have the same length. */
export function checkSumLength(global: Float64Array, summed: SummedUpdates): void {
  if (summed.weightedSum.length !== global.length) {
    throw new RangeError(`summed update has length ${summed.weightedSum.length}, global model has ${global.length}`);
  }
}

/** Σwᵢδᵢ / Σwᵢ, or undefined when nothing was contributed (the round then leaves model and state unchanged). */
export function averageDelta(global: Float64Array, summed: SummedUpdates): Float64Array | undefined {
  checkSumLength(global, summed);
  if (summed.contributors === 0 || !(summed.totalWeight > 0)) return undefined;
  const total = summed.totalWeight;
  return summed.weightedSum.map((s) => s / total);
}
