import type { FitPlan } from '../strategy.js';
import { FedAvg, type FedAvgOptions } from './fedavg.js';
import { requirePositive, StrategyOptionError } from './option-checks.js';

export interface FedProxOptions extends FedAvgOptions {
  /** Weight μ of the proximal term (μ/2)·‖w − w_global‖² each participant adds to its local loss; required, > 0. */
  proximalMu: number;
}

/**
 * FedProx (Li et al. 2020): aggregates as FedAvg; the difference is local. Each round's config carries proximalMu,
 * and participants add (μ/2)·‖w − w_global‖² to their loss, which keeps heterogeneous participants from drifting
 * far from the global model during many local epochs.
 */
export class FedProx extends FedAvg {
  override readonly name: string = 'fedprox';
  readonly proximalMu: number;

  constructor(opts: FedProxOptions) {
    super(opts);
    if (opts?.proximalMu === undefined)
      throw new StrategyOptionError('proximalMu', 'proximalMu is required: a number > 0, e.g. 0.01');
    this.proximalMu = requirePositive('proximalMu', opts.proximalMu);
  }

  override configureFit(round: number, available: readonly string[]): FitPlan {
    return this.sampling.plan(round, available, { proximalMu: this.proximalMu });
  }
}
