import { randomFrom, type Random } from '@tessera/ml';
import { sampleWithoutReplacement } from '../sample.js';
import type { ConfigValue, FitPlan } from '../strategy.js';
import { requireFraction, requireInteger, requirePositive } from './option-checks.js';

/** Who trains each round and the local settings they train with; shared by every strategy. */
export interface FitOptions {
  /** Fraction of the available participants that train each round, in (0, 1]; default 1. */
  fractionFit?: number;
  /** At least this many train each round; configureFit throws when fewer are available. Default 1. */
  minFitParticipants?: number;
  localEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Makes participant sampling reproducible: each round draws from seededRandom(seed, round). */
  seed?: string | number;
}

/** The option names of FitOptions, for the registry's schemas. */
export const FIT_OPTION_NAMES = [
  'fractionFit',
  'minFitParticipants',
  'localEpochs',
  'batchSize',
  'learningRate',
  'seed',
] as const satisfies readonly (keyof FitOptions)[];

/**
 * Participant sampling and local settings. Every strategy draws from the same stream for the same seed, so
 * switching strategy changes the aggregation only, never who trains.
 */
export class FitSampling {
  readonly fractionFit: number;
  readonly minFitParticipants: number;
  private readonly localConfig: Record<string, ConfigValue>;
  private readonly seed: string | number | undefined;

  constructor(opts: FitOptions = {}) {
    this.fractionFit = requireFraction('fractionFit', opts.fractionFit ?? 1);
    this.minFitParticipants = requireInteger('minFitParticipants', opts.minFitParticipants ?? 1, 1);
    this.seed = opts.seed;
    this.localConfig = {};
    if (opts.localEpochs !== undefined) this.localConfig.epochs = requireInteger('localEpochs', opts.localEpochs, 1);
    if (opts.batchSize !== undefined) this.localConfig.batchSize = requireInteger('batchSize', opts.batchSize, 1);
    if (opts.learningRate !== undefined)
      this.localConfig.learningRate = requirePositive('learningRate', opts.learningRate);
  }

  /**
   * Samples max(minFitParticipants, ⌊fractionFit·available⌋) distinct participants; the draw depends only on seed,
   * round and the set available. `extra` is added to the per-round config (e.g. FedProx's proximalMu).
   */
  plan(round: number, available: readonly string[], extra: Record<string, ConfigValue> = {}): FitPlan {
    const pool = [...new Set(available)].sort();
    if (pool.length < this.minFitParticipants) {
      throw new Error(
        `round ${round} needs at least ${this.minFitParticipants} participants but only ${pool.length} are available`,
      );
    }
    const count = Math.max(this.minFitParticipants, Math.floor(this.fractionFit * pool.length + 1e-9));
    return {
      participants: sampleWithoutReplacement(pool, count, this.roundRandom(round)),
      config: { round, ...this.localConfig, ...extra },
    };
  }

  private roundRandom(round: number): Random {
    // The 'fedavg/' prefix predates the other strategies; kept so that seeded runs draw as before.
    return this.seed === undefined ? randomFrom() : randomFrom(`fedavg/${String(this.seed)}/round/${round}`);
  }
}
