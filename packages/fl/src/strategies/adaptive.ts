import type { StrategyState, SummedUpdates } from '../strategy.js';
import type { FitOptions } from './fit-sampling.js';
import { requireDecay, requirePositive } from './option-checks.js';
import { checkStateLength, exportVectors, importVectors } from './server-state.js';
import { averageDelta, SumStrategy } from './sum-strategy.js';

export interface AdaptiveOptions extends FitOptions {
  /**
   * The server step η, > 0; default 0.1 for FedAdam and FedYogi, 1 for FedAdagrad. While a coordinate's deltas agree
   * in sign, Adam and Yogi move it by about η per round whatever the deltas' size (m/√v → 1), so 0.1 moves a
   * standardised logistic weight by a few units in a few tens of rounds, where 1 overshoots on noisy labels.
   * Adagrad's v sums Δ², so its step is about η·(1 − β₁ᵗ)/√t: 0.1 to 0.2 per round with η = 1, the same scale.
   */
  serverLearningRate?: number;
  /** Decay β₁ of the first moment m, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay β₂ of the second moment v (Adam, Yogi), in [0, 1); default 0.99. */
  beta2?: number;
  /** τ > 0, the degree of adaptivity (smaller: more adaptive); default 1e-3. v starts at τ². */
  tau?: number;
}

/**
 * Adaptive server optimisers of Reddi et al. 2021 ("Adaptive Federated Optimization", Algorithm 2) on the
 * pseudo-gradient Δ, the example-weighted mean delta: m ← β₁·m + (1 − β₁)·Δ; v per variant;
 * w ← w + η·m / (√v + τ). m starts at 0 and v at τ²; no bias correction, as in the paper. m and v are the state.
 */
export abstract class AdaptiveStrategy extends SumStrategy {
  readonly serverLearningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  private m: Float64Array | undefined;
  private v: Float64Array | undefined;

  constructor(opts: AdaptiveOptions = {}, defaultServerLearningRate = 0.1) {
    super(opts);
    this.serverLearningRate = requirePositive(
      'serverLearningRate',
      opts.serverLearningRate ?? defaultServerLearningRate,
    );
    this.beta1 = requireDecay('beta1', opts.beta1 ?? 0.9);
    this.beta2 = requireDecay('beta2', opts.beta2 ?? 0.99);
    this.tau = requirePositive('tau', opts.tau ?? 1e-3);
  }

  /** The next second moment of one coordinate from its previous value and Δ². */
  protected abstract secondMoment(v: number, deltaSquared: number): number;

  /** The model, m and v unchanged when nothing was contributed. */
  aggregateFit(_round: number, global: Float64Array, summed: SummedUpdates): Float64Array {
    const delta = averageDelta(global, summed);
    if (this.m !== undefined) checkStateLength(this.name, 'm', this.m, global);
    if (delta === undefined) return global.slice();
    const m = this.m ?? new Float64Array(global.length);
    const v = this.v ?? new Float64Array(global.length).fill(this.tau * this.tau);
    const next = global.slice();
    for (let j = 0; j < next.length; j++) {
      const d = delta[j]!; // delta, m, v and next all have the model's length, checked above
      m[j] = this.beta1 * m[j]! + (1 - this.beta1) * d;
      v[j] = this.secondMoment(v[j]!, d * d);
      next[j]! += (this.serverLearningRate * m[j]!) / (Math.sqrt(v[j]!) + this.tau);
    }
    this.m = m;
    this.v = v;
    return next;
  }

  state(): StrategyState {
    return exportVectors({ m: this.m, v: this.v });
  }

  restore(state: StrategyState): void {
    const vectors = importVectors(this.name, state, ['m', 'v'], ['v']);
    this.m = vectors?.[0];
    this.v = vectors?.[1];
  }
}
