// The payouts benchmark's options, defaults and report (bench part "payouts"; see payouts-bench.ts).
import { DEFAULT_LOGISTIC, type LogisticConfig } from '@tessera/ml';
import type { GtgOptions, ValuationMethod } from '@tessera/payouts';
import type { MachineInfo } from '../machine.js';

/**
 * The coalition utility: 'logLoss' = negated validation log loss (the product's default payout.metric), 'auc' =
 * validation AUC.
 */
export type PayoutsMetric = 'logLoss' | 'auc';

export interface PayoutsBenchOptions {
  /** The validation metric that is a coalition's utility (as coordinator validationUtility computes it). */
  metric: PayoutsMetric;
  /** Federation sizes n to value. */
  sizes: number[];
  /** FedAvg rounds per federation. */
  rounds: number;
  data: string;
  label: string;
  testFraction: number;
  seed: string;
  local: LogisticConfig;
  /** Exact Shapley runs only up to this n, and only when its predicted time is within exactBudgetSeconds. */
  exactMaxPlayers: number;
  exactBudgetSeconds: number;
  /** The estimators compared with exact Shapley, each a valueRounds method with options. */
  estimators: Estimator[];
  /**
   * Reference where exact is skipped: stratified Monte Carlo (stratifiedReference) with this many coalitions per size
   * stratum.
   */
  referencePerStratum: number;
  /** Also run the reference estimator at the largest n that has exact values, to show its own error. */
  calibrateReference: boolean;
  /** Payout ledger entries to sign and verify. */
  ledgerEntries: number;
}

export const PAYOUTS_DEFAULTS: PayoutsBenchOptions = {
  metric: 'logLoss',
  sizes: [4, 6, 8, 10, 12, 16, 20],
  rounds: 20,
  data: 'examples/data/breast_cancer.csv',
  label: 'benign',
  testFraction: 0.2,
  seed: 'bench-payouts',
  local: { ...DEFAULT_LOGISTIC },
  exactMaxPlayers: 16,
  exactBudgetSeconds: 60,
  estimators: [
    {
      label: 'tmc',
      method: 'tmc',
      options: { maxPermutations: 500, tolerance: 0.01, convergence: 0.01, window: 20, seed: 'bench-payouts/tmc' },
    },
    {
      label: 'tmc, no truncation',
      method: 'tmc',
      options: { maxPermutations: 500, tolerance: 0, convergence: 0.01, window: 20, seed: 'bench-payouts/tmc' },
    },
    {
      label: 'gtg',
      method: 'gtg',
      options: {
        maxPermutations: 500,
        betweenRoundTolerance: 0.001,
        withinRoundTolerance: 0.001,
        convergence: 0.01,
        window: 20,
        seed: 'bench-payouts/gtg',
      },
    },
    {
      label: 'gtg, no truncation',
      method: 'gtg',
      options: {
        maxPermutations: 500,
        betweenRoundTolerance: 0,
        withinRoundTolerance: 0,
        convergence: 0.01,
        window: 20,
        seed: 'bench-payouts/gtg',
      },
    },
    {
      label: 'gtg, convergence 0.001',
      method: 'gtg',
      options: {
        maxPermutations: 1000,
        betweenRoundTolerance: 0.001,
        withinRoundTolerance: 0.001,
        convergence: 0.001,
        window: 20,
        seed: 'bench-payouts/gtg',
      },
    },
    { label: 'loo', method: 'loo', options: {} },
  ],
  referencePerStratum: 100,
  calibrateReference: true,
  ledgerEntries: 100_000,
};

/** One participant's place in the federation. */
export type ParticipantRole = 'duplicate-source' | 'noisy' | 'honest' | 'duplicate';

export interface ErrorToReference {
  /** ||v - v*|| / ||v*||. */
  relativeL2: number;
  /** max_i |v_i - v*_i| / Σ|v*_i|. */
  maxAbsOverL1: number;
  /** Spearman rank correlation with the reference values. */
  spearman: number;
}

export interface Estimator {
  label: string;
  method: ValuationMethod;
  options: GtgOptions;
}

export interface MethodRow {
  label: string;
  method: ValuationMethod | 'stratified-reference';
  seconds: number;
  /** Utility computations (distinct coalitions per round, summed over rounds). */
  evaluations: number;
  permutations: number | null;
  roundsSkipped: number | null;
  values: number[];
  /**
   * Error against this size's reference (exact, or the stratified Monte Carlo reference); null for the reference
   * itself.
   */
  error: ErrorToReference | null;
  /** 1 = most valuable. */
  noisyRank: number;
  noisyLast: boolean;
  /** value of the duplicate / value of its source. */
  duplicateRatio: number;
  /** (source + duplicate) / mean value of the honest participants. */
  duplicatePairOverHonestMean: number;
}

export interface SizeResult {
  players: number;
  roles: ParticipantRole[];
  examples: number[];
  /** Validation AUC of the global model after each round (the last is the final model's). */
  aucByRound: number[];
  /** Validation log loss of the global model after each round. */
  logLossByRound: number[];
  trainSeconds: number;
  reference: 'exact' | 'stratified-reference';
  /** Why exact Shapley was skipped (null when it ran). */
  exactSkipped: string | null;
  /**
   * Per-player standard error of the stratified reference (summed over strata and rounds), and ||se|| / ||v_ref||; null
   * with exact.
   */
  referenceStdErr: number[] | null;
  referenceRelativeStdErr: number | null;
  methods: MethodRow[];
  /** At the largest exact size: the stratified reference estimator's own error against exact. */
  referenceCalibration: (MethodRow & { relativeStdErr: number }) | null;
}

export interface LedgerTiming {
  entries: number;
  signSeconds: number;
  entriesSignedPerSecond: number;
  bytes: number;
  verifySeconds: number;
  entriesVerifiedPerSecond: number;
  ok: boolean;
}

export interface PayoutsBenchReport {
  benchmark: 'payouts';
  date: string;
  machine: MachineInfo;
  options: PayoutsBenchOptions;
  setup: {
    data: string;
    label: string;
    rows: number;
    features: number;
    trainRows: number;
    validationRows: number;
    split: string;
    standardisation: string;
    /** The metric the utility used (options.metric). */
    metric: PayoutsMetric;
    utility: string;
    strategy: string;
    noisy: string;
    duplicate: string;
  };
  sizes: SizeResult[];
  ledger: LedgerTiming;
  totalSeconds: number;
  /** Every valuation ran and the ledger verified. */
  pass: boolean;
}
