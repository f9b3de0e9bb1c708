// A strategy's per-round config dict (Flower's FitPlan.config) on the wire: the one open map a task carries, read
// only as the strategy's overrides of the local training settings (see TrainingConfig.strategy_config).
import type { tessera } from './gen/tessera.js';

export type StrategyConfig = Record<string, number | string | boolean>;

export function toStrategyConfig(config: StrategyConfig): tessera.v1.IStrategyConfigEntry[] {
  return Object.entries(config).map(([key, v]) =>
    typeof v === 'number' ? { key, number: v } : typeof v === 'boolean' ? { key, flag: v } : { key, text: v },
  );
}

export function fromStrategyConfig(
  entries: readonly tessera.v1.IStrategyConfigEntry[] | null | undefined,
): StrategyConfig {
  const out: StrategyConfig = {};
  for (const e of entries ?? []) {
    if (!e.key) continue;
    if (e.number !== undefined && e.number !== null) out[e.key] = e.number;
    else if (e.flag !== undefined && e.flag !== null) out[e.key] = e.flag;
    else if (e.text !== undefined && e.text !== null) out[e.key] = e.text;
  }
  return out;
}
