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

export interface VerticalGuestResult {
  /** Identifiers shared with the host (the aligned rows, training and test). */
  readonly overlap: number;
  readonly metrics: VerticalMetrics;
  readonly model: GuestVerticalModel;
  readonly seconds: VerticalSeconds;
}

export interface VerticalHostResult {
  readonly overlap: number;
  readonly model: HostVerticalModel;
  readonly seconds: VerticalSeconds;
}

/** Joint scores of the guest's rows that the host also holds, in the guest's local row order. */
export interface VerticalScores {
  readonly ids: string[];
  /** Probabilities of the positive class. */
  readonly scores: Float64Array;
}
