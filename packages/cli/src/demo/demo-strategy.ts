// The demo's aggregation strategy and its options, checked by the strategy itself, errors naming the flag.
import { createStrategy, knownStrategies, StrategyOptionError, strategyOptionsOf } from '@tessera/fl';
import { UsageError } from '../ui/errors.js';

/** The strategy options the demo sets by flag, and each one's flag. */
export const STRATEGY_FLAGS = {
  serverLearningRate: '--server-lr',
  serverMomentum: '--server-momentum',
  proximalMu: '--proximal-mu',
  beta1: '--beta1',
  beta2: '--beta2',
  tau: '--tau',
} as const;
export type StrategyOption = keyof typeof STRATEGY_FLAGS;

/** FedProx's proximal coefficient mu when --proximal-mu is not given. */
export const DEFAULT_PROXIMAL_MU = 0.01;

export interface DemoStrategy {
  name: string;
  options: Partial<Record<StrategyOption, number>>;
}

/** The options strategy `name` takes of those the demo has flags for. */
export function demoStrategyOptions(name: string): StrategyOption[] {
  const takes = new Set(strategyOptionsOf(name));
  return (Object.keys(STRATEGY_FLAGS) as StrategyOption[]).filter((o) => takes.has(o));
}

/**
 * The strategy by name (case-insensitive) with its options: an unknown name, an option the strategy does not take or
 * a value out of its range is a UsageError naming the flag. FedProx without --proximal-mu gets DEFAULT_PROXIMAL_MU.
 */
export function checkDemoStrategy(name: string, given: Partial<Record<StrategyOption, number>>): DemoStrategy {
  const key = name.toLowerCase();
  if (!knownStrategies().includes(key))
    throw new UsageError(`--strategy must be one of ${knownStrategies().join(', ')}, got "${name}"`);
  const takes = demoStrategyOptions(key);
  const options: Partial<Record<StrategyOption, number>> = {};
  for (const [option, value] of Object.entries(given) as [StrategyOption, number | undefined][]) {
    if (value === undefined) continue;
    const flag = STRATEGY_FLAGS[option];
    if (!takes.includes(option)) {
      const which = strategiesTaking(option);
      throw new UsageError(
        `${flag} is an option of ${which.join(', ')}, not of ${key}: use --strategy ${which[0]}, or leave out ${flag}`,
      );
    }
    if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got ${value}`);
    options[option] = value;
  }
  if (key === 'fedprox' && options.proximalMu === undefined) options.proximalMu = DEFAULT_PROXIMAL_MU;
  try {
    createStrategy({ name: key, ...options });
  } catch (e) {
    const option = e instanceof StrategyOptionError ? (e.option as StrategyOption) : undefined;
    const flag = option !== undefined ? STRATEGY_FLAGS[option] : undefined;
    throw new UsageError(`${flag ?? '--strategy'}: ${(e as Error).message}`);
  }
  return { name: key, options };
}

function strategiesTaking(option: StrategyOption): string[] {
  return knownStrategies().filter((s) => strategyOptionsOf(s).includes(option));
}
