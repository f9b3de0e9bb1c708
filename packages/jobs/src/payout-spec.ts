import type { ValuationMethod } from '@tessera/payouts';

/** A training job's payout: a pool split among the participants by the value of their contributions. */
export interface PayoutSpec {
  /** Integer amount in minor units (e.g. cents). */
  pool: number;
  /** ISO 4217 code, e.g. CNY. */
  currency: string;
  /**
   * auto: exact Shapley up to EXACT_SHAPLEY_MAX_PARTICIPANTS contributors, GTG-Shapley beyond. equal: every
   * contributor the same value. Under differential privacy only records (a noisy count release) and equal.
   */
  valuation: PayoutMethod;
  /** The validation metric that is a coalition's utility. */
  metric: 'auc' | 'accuracy' | 'logLoss';
  /**
   * Labelled validation rows (CSV text with the training columns and the label), held by the
   * coordinator for this job, and where they came from (a file name) for messages. Needed by the methods that
   * measure coalition utilities (loo, shapley, tmc, gtg, auto), not by records and equal.
   */
  validation?: { csv: string; source: string };
  /**
   * Under differential privacy with valuation records: the epsilon of the one noisy release of the contributors' row
   * counts (at the job's delta), charged by every contributor on top of the training's. Default 0.5.
   */
  epsilon?: number;
  /** Sampling methods (tmc, gtg): seed of the permutation sampler and the per-round permutation cap. */
  seed?: string;
  maxPermutations?: number;
}

/** What a payout's valuation may name: the Shapley family and records, auto, and equal shares. */
export type PayoutMethod = ValuationMethod | 'auto' | 'equal';

export const PAYOUT_METHODS: readonly PayoutMethod[] = ['auto', 'records', 'loo', 'shapley', 'tmc', 'gtg', 'equal'];
/** The design's longer names for the sampling methods, accepted as aliases. */
export const PAYOUT_METHOD_ALIASES: Readonly<Record<string, ValuationMethod>> = {
  'tmc-shapley': 'tmc',
  'gtg-shapley': 'gtg',
  exact: 'shapley',
};
export const PAYOUT_METRICS = ['auc', 'accuracy', 'logLoss'] as const;
/** The methods a job under differential privacy may use: neither needs the members' updates. */
export const DP_PAYOUT_METHODS: readonly PayoutMethod[] = ['records', 'equal'];
/** The methods that measure coalition utilities on the payout's validation rows. */
export const needsValidation = (method: PayoutMethod): boolean => method !== 'records' && method !== 'equal';
/** The default epsilon of a DP job's records valuation (one count release per contributor), and its cap. */
export const DEFAULT_VALUATION_EPSILON = 0.5;
export const MAX_VALUATION_EPSILON = 10;
/** Exact Shapley evaluates 2^n coalitions per round; beyond this many participants the job asks for gtg or tmc. */
export const EXACT_SHAPLEY_MAX_PARTICIPANTS = 12;

/**
 * The method `auto` stands for with n contributors: exact Shapley while it is affordable (below about
 * a dozen the samplers end up evaluating nearly every coalition anyway: docs/benchmarks.md), GTG-Shapley beyond.
 */
export const resolveValuation = (
  method: Exclude<PayoutSpec['valuation'], 'equal'>,
  contributors: number,
): ValuationMethod => (method !== 'auto' ? method : contributors <= EXACT_SHAPLEY_MAX_PARTICIPANTS ? 'shapley' : 'gtg');
