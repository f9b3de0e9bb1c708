import { randomFrom, type Random } from '@tessera/ml';
import type { ConfigValue, EvaluationReport, FitPlan, Strategy, SummedUpdates } from './strategy.js';
import { sampleWithoutReplacement } from './sample.js';
import { weightedMeanMetrics } from './weighted-metrics.js';

export interface FedAvgOptions {
  /** Fraction of the available participants that train each round, in (0, 1]; default 1. */
  fractionFit?: number;
  /** At least this many train each round; configureFit throws when fewer are available. Default 1. */
  minFitParticipants?: number;
  /** Step size applied to the averaged delta; 1 is plain FedAvg. */
  serverLearningRate?: number;
  localEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Makes participant sampling reproducible: each round draws from seededRandom(seed, round). */
  seed?: string | number;
}

/**
 * Federated averaging (McMahan et al. 2017): the global model moves to the example-weighted mean of the local models.
 */
export class FedAvg implements Strategy {
  readonly name = 'fedavg';
  readonly fractionFit: number;
  readonly minFitParticipants: number;
  readonly serverLearningRate: number;
  private readonly localConfig: Record<string, ConfigValue>;
  private readonly seed: string | number | undefined;

  constructor(opts: FedAvgOptions = {}) {
    this.fractionFit = opts.fractionFit ?? 1;
    this.minFitParticipants = opts.minFitParticipants ?? 1;
    this.serverLearningRate = opts.serverLearningRate ?? 1;
    this.seed = opts.seed;
    if (!(this.fractionFit > 0 && this.fractionFit <= 1))
      throw new RangeError(`fractionFit must be in (0, 1], got ${this.fractionFit}`);
    requireInteger('minFitParticipants', this.minFitParticipants, 1);
    if (!(Number.isFinite(this.serverLearningRate) && this.serverLearningRate > 0)) {
      throw new RangeError(`serverLearningRate must be finite and > 0, got ${this.serverLearningRate}`);
    }
    this.localConfig = {};
    if (opts.localEpochs !== undefined) this.localConfig.epochs = requireInteger('localEpochs', opts.localEpochs, 1);
    if (opts.batchSize !== undefined) this.localConfig.batchSize = requireInteger('batchSize', opts.batchSize, 1);
    if (opts.learningRate !== undefined) {
      if (!(Number.isFinite(opts.learningRate) && opts.learningRate > 0)) {
        throw new RangeError(`learningRate must be finite and > 0, got ${opts.learningRate}`);
      }
      this.localConfig.learningRate = opts.learningRate;
    }
  }

  /**
   * Samples max(minFitParticipants, ⌊fractionFit·available⌋) distinct participants; the draw depends only on seed,
   * round and the set available.
   */
  configureFit(round: number, available: readonly string[]): FitPlan {
    const pool = [...new Set(available)].sort();
    if (pool.length < this.minFitParticipants) {
      throw new Error(
        `round ${round} needs at least ${this.minFitParticipants} participants but only ${pool.length} are available`,
      );
    }
    const count = Math.max(this.minFitParticipants, Math.floor(this.fractionFit * pool.length + 1e-9));
    return {
      participants: sampleWithoutReplacement(pool, count, this.roundRandom(round)),
      config: { round, ...this.localConfig },
    };
  }

  contributionWeight(numExamples: number): number {
    if (!(Number.isFinite(numExamples) && numExamples >= 0))
      throw new RangeError(`numExamples must be a finite count >= 0, got ${numExamples}`);
    return numExamples;
  }

  /** global + serverLearningRate · Σwᵢδᵢ / Σwᵢ; the global model unchanged (copied) when nothing was contributed. */
  aggregateFit(_round: number, global: Float64Array, summed: SummedUpdates): Float64Array {
    if (summed.weightedSum.length !== global.length) {
      throw new RangeError(`summed update has length ${summed.weightedSum.length}, global model has ${global.length}`);
    }
    const next = global.slice();
    if (summed.contributors === 0 || !(summed.totalWeight > 0)) return next;
    const scale = this.serverLearningRate / summed.totalWeight;
    for (let j = 0; j < next.length; j++) next[j]! += scale * summed.weightedSum[j]!; // lengths equal, checked above
    return next;
  }

  aggregateEvaluate(_round: number, reports: readonly EvaluationReport[]): Record<string, number> {
    return weightedMeanMetrics(reports);
  }

  private roundRandom(round: number): Random {
    return this.seed === undefined ? randomFrom() : randomFrom(`fedavg/${String(this.seed)}/round/${round}`);
  }
}

function requireInteger(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min))
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}
