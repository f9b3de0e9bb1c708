import { FedAdagrad } from './strategies/fedadagrad.js';
import { FedAdam } from './strategies/fedadam.js';
import { FedAvg } from './strategies/fedavg.js';
import { FedAvgM } from './strategies/fedavgm.js';
import { FedProx, type FedProxOptions } from './strategies/fedprox.js';
import { FedYogi } from './strategies/fedyogi.js';
import { FIT_OPTION_NAMES } from './strategies/fit-sampling.js';
import { StrategyOptionError } from './strategies/option-checks.js';
import type { Strategy } from './strategy.js';

type Options = Record<string, unknown>;
type Kind = 'number' | 'seed';

/** Each option's kind; ranges are checked by the strategies' constructors, which name the option. */
function schemaOf(...names: string[]): Record<string, Kind> {
  return Object.fromEntries([...FIT_OPTION_NAMES, ...names].map((n) => [n, n === 'seed' ? 'seed' : 'number']));
}

interface Entry {
  schema: Record<string, Kind>;
  build: (opts: Options) => Strategy;
}

const ADAPTIVE = ['serverLearningRate', 'beta1', 'beta2', 'tau'];

const STRATEGIES: Record<string, Entry> = {
  fedavg: { schema: schemaOf('serverLearningRate'), build: (opts) => new FedAvg(opts) },
  fedavgm: { schema: schemaOf('serverMomentum', 'serverLearningRate'), build: (opts) => new FedAvgM(opts) },
  fedprox: {
    schema: schemaOf('proximalMu', 'serverLearningRate'),
    build: (opts) => new FedProx(opts as unknown as FedProxOptions),
  },
  fedadam: { schema: schemaOf(...ADAPTIVE), build: (opts) => new FedAdam(opts) },
  fedyogi: { schema: schemaOf(...ADAPTIVE), build: (opts) => new FedYogi(opts) },
  // Adagrad has no β₂: v only accumulates Δ².
  fedadagrad: { schema: schemaOf(...ADAPTIVE.filter((n) => n !== 'beta2')), build: (opts) => new FedAdagrad(opts) },
};

export function knownStrategies(): string[] {
  return Object.keys(STRATEGIES);
}

/** The option names strategy `name` (case-insensitive) accepts besides `name`; throws for an unknown strategy. */
export function strategyOptionsOf(name: string): string[] {
  return Object.keys(entryOf(name).schema);
}

/**
 * A strategy by (case-insensitive) name, e.g. { name: 'fedadam', fractionFit: 0.5, tau: 1e-3 }. Unknown options,
 * options of the wrong type and values out of range are refused with a StrategyOptionError naming the option
 * (TypeError for a wrong type).
 */
export function createStrategy(spec: { name: string } & Record<string, unknown>): Strategy {
  const { name, ...opts } = spec;
  const key = String(name).toLowerCase();
  const entry = entryOf(key);
  checkOptions(key, opts, entry.schema);
  try {
    return entry.build(opts);
  } catch (error) {
    if (error instanceof StrategyOptionError)
      throw new StrategyOptionError(error.option, `strategy ${key}: ${error.message}`);
    throw error;
  }
}

function entryOf(name: string): Entry {
  const entry = STRATEGIES[String(name).toLowerCase()];
  if (entry === undefined)
    throw new Error(`unknown strategy '${name}'; known strategies: ${knownStrategies().join(', ')}`);
  return entry;
}

function checkOptions(strategy: string, opts: Options, schema: Record<string, Kind>): void {
  for (const [key, value] of Object.entries(opts)) {
    const kind = schema[key];
    if (kind === undefined)
      throw new StrategyOptionError(
        key,
        `unknown option '${key}' for strategy ${strategy}; known options: ${Object.keys(schema).join(', ')}`,
      );
    if (value === undefined) continue;
    const ok = kind === 'number' ? typeof value === 'number' : typeof value === 'number' || typeof value === 'string';
    if (!ok)
      throw new TypeError(
        `option '${key}' of strategy ${strategy} must be a ${kind === 'number' ? 'number' : 'string or number'}, ` +
          `got ${typeof value}`,
      );
  }
}
