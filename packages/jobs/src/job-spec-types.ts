import type { PayoutSpec } from './payout-spec.js';
import type { ModelSection } from './job-spec-model.js';
import type { EarlyStopping, LocalSection, StrategySection } from './job-spec-training.js';

/** A training job as analysts write it (YAML or JSON), validated field by field. */
export interface JobSpec {
  name: string;
  kind: 'train';
  /** Logical data set name; each participant maps it to a local source. */
  dataset: string;
  label: string;
  /** Only these columns (default: every column all participants share, except the label and `exclude`). */
  features?: string[];
  exclude: string[];
  model: ModelSection;
  rounds: number;
  local: LocalSection;
  strategy: StrategySection;
  /** Without differential privacy: stop when the federated validation loss stops improving. */
  earlyStopping?: EarlyStopping;
  /** A round completes only if at least this many participants contribute (the threshold). */
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
  maxRoundAttempts: number;
  /** Share of each participant's rows kept aside for federated evaluation. */
  validationFraction: number;
  seed?: string;
  /** How contributions are aggregated: SecAgg+ masking by default, plaintext only when asked. */
  secure: SecureSpec;
  /** Differential privacy of the released model updates (participant level). */
  privacy: PrivacySpec;
  /** Data-trust payout: after training, value each participant's contribution and split the pool. */
  payout?: PayoutSpec;
  /**
   * Public categorical domains by column. Under differential privacy a text column is a feature only
   * with a declared domain: participants report the declared values (never the values that occur),
   * and a value outside the domain encodes as zeros.
   */
  domains?: Record<string, string[]>;
}

export interface PrivacySpec {
  /**
   * none; distributed: each participant adds a share of integer noise before masking; central: the
   * coordinator adds it to the unmasked sum; local: each participant adds the whole noise itself, so its
   * own contribution is private without trusting the others or the coordinator.
   */
  mode: 'none' | 'distributed' | 'central' | 'local';
  /** participant: one merchant's whole update is protected (DP-FedAvg); record: one customer row (DP-FedSGD). */
  unit: 'participant' | 'record';
  epsilon: number;
  delta: number;
  /**
   * L2 clipping bound: of each record's gradient (unit record, default 1) or of each participant's update (unit
   * participant, default secure.clip).
   */
  clip: number;
  /**
   * Rows a participant contributes at most to a private statistics release (more are subsampled); sizes the fixed-point
   * scale.
   */
  maxRecords: number;
  /** Unit participant: adapt the clip each round to a quantile of the update norms (Andrew et al. 2021), privately. */
  adaptiveClip?: AdaptiveClipSpec;
  /**
   * Distributed mode: a round releases only with at least this many survivors, and each noise share
   * is sized so that m survivors less the tolerated colluders carry the full noise (default: the
   * cohort less its expected dropouts at secure.dropoutRate).
   */
  survivorFloor?: number;
}

export interface AdaptiveClipSpec {
  /** Fraction of participants' updates to leave unclipped (the quantile the clip tracks). */
  targetQuantile: number;
  /** Step size of the geometric clip update. */
  learningRate: number;
  /**
   * Noise standard deviation on the count of unclipped updates (default: the larger of participants/20 and the noise
   * multiplier).
   */
  bitNoiseStd?: number;
}

export interface SecureSpec {
  /**
   * masked: SecAgg+; sealed: SecAgg+ under the analyst's BFV key, so only the analyst reads aggregates; none:
   * plaintext.
   */
  mode: 'masked' | 'sealed' | 'none';
  /** Bits per coordinate of a quantised model update. */
  bits: number;
  /** L2 clipping bound of each participant's model update. */
  clip: number;
  /** Expected share of participants that drop out of a round (sets the graph and threshold). */
  dropoutRate: number;
  /** Share of participants that may collude with the coordinator (sets the threshold). */
  corruptFraction: number;
}

export const JOB_SPEC_DEFAULTS = {
  kind: 'train',
  exclude: [] as string[],
  model: { type: 'logistic', l2: 1e-4, task: 'binary' },
  rounds: 10,
  local: { epochs: 1, batchSize: 32, learningRate: 0.1, optimiser: 'sgd' },
  strategy: { name: 'fedavg', fractionFit: 1, serverLearningRate: 1 },
  minParticipants: 2,
  roundTimeoutSeconds: 120,
  waitForParticipantsSeconds: 120,
  maxRoundAttempts: 3,
  validationFraction: 0.2,
  secure: { mode: 'masked', bits: 20, clip: 10, dropoutRate: 0.1, corruptFraction: 0.1 },
  privacy: { mode: 'none', unit: 'participant', epsilon: 4, delta: 1e-5, recordClip: 1, maxRecords: 100_000 },
} as const;
