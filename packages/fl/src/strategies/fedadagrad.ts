import { type AdaptiveOptions, AdaptiveStrategy } from './adaptive.js';

export type FedAdagradOptions = Omit<AdaptiveOptions, 'beta2'>;

/**
 * FedAdagrad (Reddi et al. 2021): v ← v + Δ², so each coordinate's step shrinks as its squared deltas add up.
 * serverLearningRate defaults to 1 (see AdaptiveOptions); there is no β₂.
 */
export class FedAdagrad extends AdaptiveStrategy {
  readonly name = 'fedadagrad';

  constructor(opts: FedAdagradOptions = {}) {
    super(opts, 1);
  }

  protected secondMoment(v: number, deltaSquared: number): number {
    return v + deltaSquared;
  }
}
