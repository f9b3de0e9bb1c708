import type { ValuationMethod } from '@tessera/payouts';

/** A training job's payout: a pool split among the participants by the value of their contributions. */
export interface PayoutSpec {
  /** Integer amount in minor units (e.g. cents). */
  pool: number;
  /** ISO 4217 code, e.g. CNY. */
  currency: string;
  /** auto: exact Shapley up to EXACT_SHAPLEY_MAX_PARTICIPANTS contributors, GTG-Shapley beyond. */
  valuation: ValuationMethod | 'auto';
  /** The validation metric that is a coalition's utility. */
  metric: 'auc' | 'accuracy' | 'logLoss';
  /**
   * Labelled validation rows (CSV text with the training columns and the label), held by the
   * coordinator for this job, and where they came from (a file name) for messages.
   */
  validation: { csv: string; source: string };
  /** Sampling methods (tmc, gtg): seed of the permutation sampler and the per-round permutation cap. */
  seed?: string;
  maxPermutations?: number;
}

export const PAYOUT_METHODS: readonly (ValuationMethod | 'auto')[] = [
  'auto',
  'records',
  'loo',
  'shapley',
  'tmc',
  'gtg',
];
/** The design's longer names for the sampling methods, accepted as aliases. */
export const PAYOUT_METHOD_ALIASES: Readonly<Record<string, ValuationMethod>> = {
  'tmc-shapley': 'tmc',
  'gtg-shapley': 'gtg',
  exact: 'shapley',
};
export const PAYOUT_METRICS = ['auc', 'accuracy', 'logLoss'] as const;
/** Exact Shapley evaluates 2^n coalitions per round; beyond this many participants the job asks for gtg or tmc. */
export const EXACT_SHAPLEY_MAX_PARTICIPANTS = 12;

/**
 * The method `auto` stands for with n contributors: exact Shapley while it is affordable (below about
 * a dozen the samplers end up evaluating nearly every coalition anyway: docs/benchmarks.md), GTG-Shapley beyond.
 */
export const resolveValuation = (method: PayoutSpec['valuation'], contributors: number): ValuationMethod =>
  method !== 'auto' ? method : contributors <= EXACT_SHAPLEY_MAX_PARTICIPANTS ? 'shapley' : 'gtg';
