/** Hyperparameters shared by the plaintext GBDT reference and SecureBoost (the same algorithm). */
export interface BoostConfig {
  /** Number of trees. Default 3. */
  readonly trees: number;
  /** Maximum depth (a tree of depth d has at most 2^d leaves). Default 3. */
  readonly depth: number;
  /** Shrinkage applied to every leaf weight. Default 0.3. */
  readonly learningRate: number;
  /** Quantile bins per feature, 2 to 32. Default 32. */
  readonly bins: number;
  /** L2 penalty on leaf weights (XGBoost's lambda). Default 1. */
  readonly lambda: number;
  /** Smallest hessian sum allowed in a child. Default 1. */
  readonly minChildWeight: number;
}

export const defaultBoostConfig: BoostConfig = Object.freeze({
  trees: 3,
  depth: 3,
  learningRate: 0.3,
  bins: 32,
  lambda: 1,
  minChildWeight: 1,
});

/** Fills defaults and refuses out-of-range values, naming the field. */
export function boostConfig(partial: Partial<BoostConfig> = {}): BoostConfig {
  const c = { ...defaultBoostConfig, ...partial };
  const int = (name: keyof BoostConfig, lo: number, hi: number) => {
    const v = c[name];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new Error(`boost config: ${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  };
  int('trees', 1, 10_000);
  int('depth', 1, 12);
  int('bins', 2, 32);
  const pos = (name: keyof BoostConfig, allowZero: boolean) => {
    const v = c[name];
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
      throw new Error(`boost config: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  };
  pos('learningRate', false);
  pos('lambda', true);
  pos('minChildWeight', true);
  return Object.freeze(c);
}
