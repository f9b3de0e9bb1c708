import type { SummedUpdates } from '../strategy.js';
import type { FitOptions } from './fit-sampling.js';
import { requirePositive } from './option-checks.js';
import { checkSumLength, SumStrategy } from './sum-strategy.js';

export interface FedAvgOptions extends FitOptions {
  /** Step size applied to the averaged delta; 1 is plain FedAvg. */
  serverLearningRate?: number;
}

/**
 * Federated averaging (McMahan et al. 2017): the global model moves to the example-weighted mean of the local models.
 */
export class FedAvg extends SumStrategy {
  readonly name: string = 'fedavg';
  readonly serverLearningRate: number;

  constructor(opts: FedAvgOptions = {}) {
    super(opts);
    this.serverLearningRate = requirePositive('serverLearningRate', opts.serverLearningRate ?? 1);
  }

  /** global + serverLearningRate · Σwᵢδᵢ / Σwᵢ; the global model unchanged (copied) when nothing was contributed. */
  aggregateFit(_round: number, global: Float64Array, summed: SummedUpdates): Float64Array {
    checkSumLength(global, summed);
    const next = global.slice();
    if (summed.contributors === 0 || !(summed.totalWeight > 0)) return next;
    const scale = this.serverLearningRate / summed.totalWeight;
    for (let j = 0; j < next.length; j++) next[j]! += scale * summed.weightedSum[j]!; // lengths equal, checked above
    return next;
  }
}
