/**
 * What a vertical party is given and what it ends with. The service layer (a participant node) reads its data,
 * checks the task against the signed spec and its owner's policy, and calls runVerticalGuest / runVerticalHost.
 */
import type { AlignmentBlinder } from '@tessera/psi';
import type { PeerLink } from './link.js';

/** The model section of a vertical job spec (the same shape as @tessera/jobs' VerticalModelSection). */
export type VerticalModelConfig =
  | {
      readonly kind: 'vertical-logistic';
      readonly epochs: number;
      readonly batchSize: number;
      readonly learningRate: number;
      readonly l2: number;
    }
  | {
      readonly kind: 'secureboost';
      readonly trees: number;
      readonly depth: number;
      readonly learningRate: number;
      readonly bins: number;
      readonly minChildWeight: number;
      readonly lambda: number;
    };

/** One party's local table, already read: identifiers and numeric feature columns in its own row order. */
export interface PartyTable {
  /** The identifier column (e.g. phone numbers), one per local row; duplicates are refused. */
  readonly ids: readonly string[];
  /** Feature names, in column order. */
  readonly featureNames: readonly string[];
  /** Feature columns (each `ids.length` long), in `featureNames` order. */
  readonly columns: readonly Float64Array[];
}

/** What both sides must agree on (from the signed spec and the task): a mismatch fails alignment or training. */
export interface VerticalRunCommon {
  readonly link: PeerLink;
  readonly table: PartyTable;
  readonly model: VerticalModelConfig;
  /** The per-job alignment salt (at least 16 bytes). */
  readonly salt: Uint8Array;
  /** Binds the alignment to this run (the job id). */
  readonly session: string;
  /** Public seed of the train/test split, batching and initialisation (the spec's seed, else the job id). */
  readonly seed: string;
  /** Fraction of the aligned rows held out for evaluation, in (0, 0.5]. */
  readonly testFraction: number;
  /** Refuse (and abort the peer) when fewer identifiers are shared. */
  readonly minOverlap: number;
  /** Where the alignment's blinding runs (default this thread). */
  readonly blinder?: AlignmentBlinder;
  readonly signal?: AbortSignal;
  /** Progress for long work: phase and a human-readable line. */
  readonly progress?: (phase: VerticalPhase, detail: string) => void;
}

export type VerticalPhase = 'align' | 'setup' | 'train' | 'evaluate' | 'score';

export interface VerticalGuestInput extends VerticalRunCommon {
  /** 0/1 labels, one per local row. */
  readonly labels: Float64Array;
}

export type VerticalHostInput = VerticalRunCommon;

/** Held-out metrics of the joint model, computed by the guest (who alone holds the label). */
export interface VerticalMetrics {
  readonly auc: number;
  readonly accuracy: number;
  readonly logLoss: number;
  readonly trainRows: number;
  readonly testRows: number;
}
