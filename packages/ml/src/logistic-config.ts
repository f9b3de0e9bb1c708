export interface LogisticConfig {
  /** Coefficient of (l2/2)·||w||² (bias excluded). */
  l2: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
}

export const DEFAULT_LOGISTIC: LogisticConfig = Object.freeze({
  l2: 1e-4,
  learningRate: 0.1,
  batchSize: 32,
  epochs: 1,
});

export function checkLogisticConfig(cfg: LogisticConfig): void {
  if (!(Number.isFinite(cfg.l2) && cfg.l2 >= 0)) throw new RangeError(`l2 must be finite and >= 0, got ${cfg.l2}`);
  if (!(Number.isFinite(cfg.learningRate) && cfg.learningRate >= 0)) {
    throw new RangeError(`learningRate must be finite and >= 0, got ${cfg.learningRate}`);
  }
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize >= 1))
    throw new RangeError(`batchSize must be an integer >= 1, got ${cfg.batchSize}`);
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs >= 0))
    throw new RangeError(`epochs must be an integer >= 0, got ${cfg.epochs}`);
}
