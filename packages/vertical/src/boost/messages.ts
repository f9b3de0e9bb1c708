/**
 * The SecureBoost messages, plain typed objects a service layer can relay. Ciphertexts are Uint8Array;
 * row sets are Uint32Array indices into the aligned rows (the instance space split is revealed to both
 * parties, as in SecureBoost).
 */
import type { BoostHeParams } from './he-context.js';

/** Host to guest at the start: how many features it has (nothing about their values). */
export interface HostHello {
  readonly kind: 'host-hello';
  readonly host: number;
  readonly features: number;
}

/** Guest to host: the BFV parameters, the Galois key for row rotations, bins per feature, the row count. */
export interface BoostSetup {
  readonly kind: 'boost-setup';
  readonly params: BoostHeParams;
  readonly galoisKey: Uint8Array;
  readonly bins: number;
  readonly rows: number;
}

/** Guest to host, once per tree: encrypted fixed-point gradients (row 0) and hessians (row 1). */
export interface EncryptedGradients {
  readonly kind: 'encrypted-gradients';
  readonly tree: number;
  readonly ciphertexts: readonly Uint8Array[];
}

/** Guest to host: the rows of a node whose bin sums it wants. */
export interface HistogramRequest {
  readonly kind: 'histogram-request';
  readonly tree: number;
  readonly node: number;
  readonly rows: Uint32Array;
}

/** Host to guest: one ciphertext per group of features, masked so that only the class sums decrypt usefully. */
export interface EncryptedHistogram {
  readonly kind: 'encrypted-histogram';
  readonly host: number;
  readonly tree: number;
  readonly node: number;
  readonly groups: readonly Uint8Array[];
}

/** Guest to host: split this node at candidate (feature slot, bin) of your histogram. */
export interface SplitRequest {
  readonly kind: 'split-request';
  readonly tree: number;
  readonly node: number;
  readonly feature: number;
  readonly bin: number;
  readonly rows: Uint32Array;
}

/** Host to guest: an opaque id for the split (the host keeps feature and threshold) and the rows going left. */
export interface SplitAnswer {
  readonly kind: 'split-answer';
  readonly host: number;
  readonly split: string;
  readonly left: Uint32Array;
}

/** Guest to host when scoring: which of these rows go left at your split `split`? */
export interface ScoreQuery {
  readonly kind: 'score-query';
  readonly split: string;
  readonly rows: Uint32Array;
}

export interface ScoreAnswer {
  readonly kind: 'score-answer';
  readonly left: Uint32Array;
}

/** How the guest reaches one host (the driver relays and records; a service layer would do the same). */
export interface HostLink {
  histogram(request: HistogramRequest): Promise<EncryptedHistogram>;
  split(request: SplitRequest): Promise<SplitAnswer>;
}

/** How the scoring guest reaches one host: in process (SecureBoostHostScorer) or over a link. */
export interface HostScoreLink {
  score(query: ScoreQuery): ScoreAnswer | Promise<ScoreAnswer>;
}
