import type { SummedUpdates } from '@tessera/fl';
import type { JobSpec } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import type { TaskAnswer } from '../../../../rounds/collectors.js';
import type { OwnersRefusal } from '../../../../rounds/stage.js';
import type { ParticipantSession } from '../../../../service/participant-session.js';
import type { SealedExchange } from '../../../../service/sealed-exchange.js';
import type { TaskKey } from '../../../../service/task-ref.js';
import type { UploadSlots } from '../../../../service/upload-slots.js';
import type { RoundRecord, RoundStage, Store } from '../../../../store/store.js';
import type { JobPrivacy } from '../../../job-privacy.js';
import type { SealedRound } from '../../../sealed-round.js';

/**
 * How one training stage's participants are summed, and how the sum becomes the stage's value
 * (standardisation statistics, the next model, evaluation metrics). The stages (statistics, fit,
 * evaluate) ask an `Aggregator` and do not know whether it sums in plaintext (`PlainAggregator`),
 * through SecAgg+ (`SecAggAggregator`) or under the analyst's key (`SealedAggregator`);
 * differential privacy wraps one (`DpAggregator`), as Flower wraps a strategy.
 */
export interface Aggregator {
  readonly mode: 'plain' | 'masked' | 'sealed';
  sum<T>(request: SumRequest<T>): Promise<SumResult<T>>;
}

/** Quantisation of the vectors summed in a ring (secure modes), with the share of DP noise each participant adds. */
export interface SumCodec {
  bits: number;
  clip: number;
  weightCap: number;
  /** Distributed DP: the variance of the discrete Gaussian each participant adds to its words. */
  noiseVariance?: number;
}

/** One aggregation: every chosen participant contributes one vector of `dimension` values. */
export interface SumRequest<T> {
  stage: RoundStage;
  round: number;
  attempt: number;
  computation: tessera.v1.Stage;
  sessions: ParticipantSession[];
  /** Vector length: ring words in the secure modes, float values in plaintext. */
  dimension: number;
  task: (s: ParticipantSession) => tessera.v1.ITask;
  /** Sent with the first step (the global model for FIT and EVALUATE). */
  model?: Float64Array;
  codec?: SumCodec;
  /** Turns the sum into the stage's value. */
  decoding: Decoding<T>;
}

/** The three ways a sum becomes a stage's value, one per aggregator; a stage supplies those its modes need. */
export interface Decoding<T> {
  /**
   * Plaintext: each answer's weight in the float sum, a check of its vector (a reason rejects it) and the value of the
   * weighted sum.
   */
  plain?: {
    weight(answer: TaskAnswer): number;
    check?(vector: Float64Array, answer: TaskAnswer): string | undefined;
    /** How a shortfall reads: "{n} of {m} participants <verb>, fewer than minParticipants". */
    verb: string;
    value(sum: SummedUpdates): T;
  };
  /** SecAgg+: the ring sum of the survivors' words (after any central noise), decoded. */
  ring?(words: Uint32Array, survivors: number): T;
  /** Sealed: what the analyst is told to decode, and the check of the values it answers with. */
  sealed?: { length: number; decode: object; model?: Float64Array; value(values: Float64Array, survivors: number): T };
}

/** A completed aggregation. */
export interface Aggregate<T> {
  value: T;
  contributors: string[];
  /** Participants asked but not in the sum, with why. */
  failures: ReadonlyMap<string, string>;
  refusals: ReadonlyMap<string, OwnersRefusal>;
  /** Plaintext only: each contributor's answer (its metrics). */
  answers: ReadonlyMap<string, TaskAnswer>;
  /**
   * Secure modes: the SecAgg+ threshold and graph degree used, messages rejected, and each stage's seconds (the
   * secure sum's stageSeconds).
   */
  secure?: { threshold: number; degree: number; rejected: number; stageSeconds?: Record<string, number> };
  seconds: number;
}

export type SumResult<T> = { ok: true; value: Aggregate<T> } | { ok: false; reason: string };

export class MissingDecoding extends Error {
  constructor(mode: string, stage: string) {
    super(`internal: the ${stage} stage has no ${mode} decoding`);
  }
}

/** What an aggregator needs of the training run it serves (TrainingRun provides it). */
export interface AggregationHost {
  readonly jobId: string;
  readonly spec: JobSpec;
  readonly privacy: JobPrivacy;
  readonly store: Store;
  readonly slots: UploadSlots;
  readonly signal: AbortSignal;
  readonly sealedExchange: SealedExchange;
  /** The ring of secure aggregation: 2^32, or the analyst's plaintext modulus in sealed mode. */
  readonly ringModulus: number;
  /** Sealed mode: the analyst's key and parameters, once published. */
  readonly sealed: SealedRound | undefined;
  taskKey(round: number, stage: tessera.v1.Stage): TaskKey;
  recordRound(r: Omit<RoundRecord, 'jobId' | 'finishedAt'>): RoundRecord;
  failureSummary(failures: ReadonlyMap<string, string>): string;
  publish(message: string): void;
  noteRefusals(
    stage: RoundStage,
    round: number,
    outcome: { failures: ReadonlyMap<string, string>; refusals: ReadonlyMap<string, OwnersRefusal> },
  ): Promise<void>;
  notePrivacySpend(
    kind: 'rounds' | 'statistics',
    asked: readonly ParticipantSession[],
    outcome: { refusals: ReadonlyMap<string, OwnersRefusal> },
  ): Promise<void>;
}
