import { FedAvg, type FedAvgOptions } from './fedavg.js';
import type { Strategy } from './strategy.js';

type Options = Record<string, unknown>;

const FEDAVG_OPTIONS: Record<keyof FedAvgOptions, 'number' | 'seed'> = {
  fractionFit: 'number',
  minFitParticipants: 'number',
  serverLearningRate: 'number',
  localEpochs: 'number',
  batchSize: 'number',
  learningRate: 'number',
  seed: 'seed',
};

const FACTORIES: Record<string, (opts: Options) => Strategy> = {
  fedavg: (opts) => new FedAvg(checkOptions('fedavg', opts, FEDAVG_OPTIONS) as FedAvgOptions),
};

export function knownStrategies(): string[] {
  return Object.keys(FACTORIES);
}

/** A strategy by (case-insensitive) name, e.g. { name: 'fedavg', fractionFit: 0.5 }. */
export function createStrategy(spec: { name: string } & Record<string, unknown>): Strategy {
  const { name, ...opts } = spec;
  const factory = FACTORIES[String(name).toLowerCase()];
  if (factory === undefined)
    throw new Error(`unknown strategy '${name}'; known strategies: ${knownStrategies().join(', ')}`);
  return factory(opts);
}

function checkOptions(strategy: string, opts: Options, schema: Record<string, 'number' | 'seed'>): Options {
  for (const [key, value] of Object.entries(opts)) {
    const kind = schema[key];
    if (kind === undefined)
      throw new Error(
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
  return opts;
}
