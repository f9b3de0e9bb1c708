import { AdaptiveStrategy } from './adaptive.js';

/** FedAdam (Reddi et al. 2021): v ← β₂·v + (1 − β₂)·Δ². */
export class FedAdam extends AdaptiveStrategy {
  readonly name = 'fedadam';

  protected secondMoment(v: number, deltaSquared: number): number {
    return this.beta2 * v + (1 - this.beta2) * deltaSquared;
  }
}
