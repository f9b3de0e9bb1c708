import type { JobValuation } from '@tessera/payouts';
import type { PayoutsView } from '@tessera/jobs';
import type { Submission } from './signed-spec.js';
import type { AgreedSchema } from '@tessera/data';

export interface SealedParams {
  polyModulusDegree: number;
  coeffModulusBits: number[];
  plainModulus: number;
}

/** What a job's setup stages agreed on, persisted so that a restarted coordinator resumes after them. */
/** Where a training job stands; stored with the result of the stage that moves it on. */
export type TrainingStage = 'schema' | 'statistics' | 'training' | 'payout' | 'done';

export interface JobContext {
  /** Training jobs: the stage to run next (absent in jobs stored before stages were: see stageOf). */
  stage?: TrainingStage;
  schema?: AgreedSchema;
  featureNames?: string[];
  standardisation?: { mean: number[]; std: number[]; count: number; contributors?: number; clip?: number };
  privacy?: { noiseMultiplier: number };
  /** Sealed mode: the analyst's BFV public key (base64) and the parameters it was made for. Never a secret key. */
  sealed?: { analystKey: string; params: SealedParams; analystIdentity: string; analystSignature: string };
  /** The clip adaptive clipping has reached (after the last completed round). */
  adaptiveClip?: { clip: number; round: number };
  /** Noisy releases each participant was asked to contribute to (each is charged to its budget). */
  privacySpend?: Record<string, { rounds: number; statistics: number }>;
  /** Participants that refused work on privacy grounds, with their reasons. */
  refusals?: { participantId: string; stage: string; round: number; reason: string }[];
  /** Hex Ed25519 identity of the analyst that signed the submission (participants' consent grants name it). */
  analystIdentity?: string;
  /** The spec text as submitted and the analyst's signature over it: every task carries both. */
  submission?: Submission;
  /** Participants whose updates went into at least one completed training round. */
  contributors?: string[];
  /** The job's payout, once valued and split (or why it was not). */
  payouts?: PayoutsView;
  /** The job's valuation for data-trust products (docs/sales.md), once released. */
  valuation?: JobValuation;
  /** A stateful strategy's server optimiser state after the last completed round (FedAvgM, FedAdam, ...). */
  strategyState?: Record<string, number[]>;
  /** The round with the lowest federated validation loss so far, and that loss: the job's result. */
  best?: { round: number; loss: number };
  /** Early stopping: the last round that improved the validation loss by at least minDelta. */
  improved?: { round: number; loss: number };
  /** Why training ended before its last round (early stopping). */
  stoppedEarly?: string;
}

/** The context as stored before issue 13 spelt one key the US way; the coordinator still reads it. */
type StoredContext = JobContext & { standardization?: JobContext['standardisation'] };

/**
 * A job's stored context. Contexts written before issue 13 hold `standardization`: it is read as
 * `standardisation`, so the next save writes the British key and old databases keep working.
 */
export function parseContext(json: string): JobContext {
  if (!json) return {};
  const { standardization, ...context } = JSON.parse(json) as StoredContext;
  return standardization && !context.standardisation ? { ...context, standardisation: standardization } : context;
}

/** A training job's stage: the stored one, or for jobs stored before it was, the one its context implies. */
export function stageOf(c: JobContext): TrainingStage {
  if (c.stage) return c.stage;
  if (!c.schema) return 'schema';
  if (!c.standardisation) return 'statistics';
  return 'training';
}

export type { PayoutsView };
