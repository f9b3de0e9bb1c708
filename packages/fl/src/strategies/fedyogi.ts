import { AdaptiveStrategy } from './adaptive.js';

/**
 * FedYogi (Reddi et al. 2021): v ← v − (1 − β₂)·Δ²·sign(v − Δ²). v moves towards Δ² by a step proportional to
 * Δ² alone, so after a large delta it shrinks slowly (unlike Adam's, which decays by β₂ each round): the
 * effective step stays small rather than jumping back up.
 */
export class FedYogi extends AdaptiveStrategy {
  readonly name = 'fedyogi';

  protected secondMoment(v: number, deltaSquared: number): number {
    return v - (1 - this.beta2) * deltaSquared * Math.sign(v - deltaSquared);
  }
}
