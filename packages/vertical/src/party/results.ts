/** What each party's run ends with: the overlap, its own saved model, the guest's held-out metrics, timings. */
import type { GuestVerticalModel, HostVerticalModel } from './model.js';
import type { VerticalMetrics } from './types.js';

/** Wall-clock seconds of each phase of a run. */
export interface VerticalSeconds {
  readonly align: number;
  readonly setup: number;
  readonly train: number;
  readonly evaluate: number;
}

/**
 * This side's own table rows (local indices) of the training and test rows, in the agreed order: row i of the
 * guest's `train` and of the host's `train` are the same customer. Lets a caller compute baselines on the same rows.
 */
export interface VerticalRows {
  readonly train: Uint32Array;
  readonly test: Uint32Array;
}

export interface VerticalGuestResult {
  /** Identifiers shared with the host (the aligned rows, training and test). */
  readonly overlap: number;
  readonly metrics: VerticalMetrics;
  readonly model: GuestVerticalModel;
  readonly rows: VerticalRows;
  readonly seconds: VerticalSeconds;
}

export interface VerticalHostResult {
  readonly overlap: number;
  readonly model: HostVerticalModel;
  readonly rows: VerticalRows;
  readonly seconds: VerticalSeconds;
}

/** Joint scores of the guest's rows that the host also holds, in the guest's local row order. */
export interface VerticalScores {
  readonly ids: string[];
  /** Probabilities of the positive class. */
  readonly scores: Float64Array;
}
