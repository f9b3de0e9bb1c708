import { DEFAULT_LOGISTIC, type LogisticConfig } from '@tessera/ml';
import type { ConfigValue } from './strategy.js';

const KEYS = ['l2', 'learningRate', 'batchSize', 'epochs'] as const;

/** The participant's training settings: `base` overridden by the numeric settings a FitPlan config carries. */
export function logisticConfigFrom(
  config: Readonly<Record<string, ConfigValue>>,
  base: LogisticConfig = DEFAULT_LOGISTIC,
): LogisticConfig {
  const out = { ...base };
  for (const key of KEYS) {
    const value = config[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') throw new TypeError(`fit config '${key}' must be a number, got ${typeof value}`);
    out[key] = value;
  }
  return out;
}
