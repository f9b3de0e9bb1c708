import type { StrategyState, SummedUpdates } from '../strategy.js';
import type { FitOptions } from './fit-sampling.js';
import { requireDecay, requirePositive } from './option-checks.js';
import { checkStateLength, exportVectors, importVectors } from './server-state.js';
import { averageDelta, SumStrategy } from './sum-strategy.js';

export interface FedAvgMOptions extends FitOptions {
  /** Momentum β of the server velocity, in [0, 1); default 0.9. 0 is FedAvg. */
  serverMomentum?: number;
  /** Step size applied to the velocity, > 0; default 1. */
  serverLearningRate?: number;
}

/**
 * FedAvg with server momentum (Hsu et al. 2019): v ← β·v + Δ, w ← w + η·v, where Δ is the example-weighted
 * mean delta. The velocity v is the strategy's state.
 */
export class FedAvgM extends SumStrategy {
  readonly name = 'fedavgm';
  readonly serverMomentum: number;
  readonly serverLearningRate: number;
  private velocity: Float64Array | undefined;

  constructor(opts: FedAvgMOptions = {}) {
    super(opts);
    this.serverMomentum = requireDecay('serverMomentum', opts.serverMomentum ?? 0.9);
    this.serverLearningRate = requirePositive('serverLearningRate', opts.serverLearningRate ?? 1);
  }

  /** The model and the velocity unchanged when nothing was contributed. */
  aggregateFit(_round: number, global: Float64Array, summed: SummedUpdates): Float64Array {
    const delta = averageDelta(global, summed);
    if (this.velocity !== undefined) checkStateLength(this.name, 'velocity', this.velocity, global);
    if (delta === undefined) return global.slice();
    const velocity = this.velocity ?? new Float64Array(global.length);
    const next = global.slice();
    for (let j = 0; j < next.length; j++) {
      velocity[j] = this.serverMomentum * velocity[j]! + delta[j]!; // all of the model's length, checked above
      next[j]! += this.serverLearningRate * velocity[j]!;
    }
    this.velocity = velocity;
    return next;
  }

  state(): StrategyState {
    return exportVectors({ velocity: this.velocity });
  }

  restore(state: StrategyState): void {
    this.velocity = importVectors(this.name, state, ['velocity'])?.[0];
  }
}
