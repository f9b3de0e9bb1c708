import type { LabelTarget } from './label-target.js';

/** A feature column is numeric or categorical (text with a small domain); the label is separate. */
export type ColumnKind = 'numeric' | 'categorical';

export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  /** Sorted distinct values; categorical columns only. */
  categories?: string[];
  /**
   * A public domain (declared in the job's spec, not read from the data): a value outside it
   * encodes as all zeros instead of being an error, so no participant reveals that it has one.
   */
  declared?: boolean;
}

/** What one participant learns about its own table; shareable, as it holds no rows. */
export interface LocalSchema {
  columns: ColumnProfile[];
  label: string;
  rows: number;
}

/** The schema every participant encodes with. */
export interface AgreedSchema {
  label: string;
  features: ColumnProfile[];
  /** What the label holds (absent: binary 0/1, the one task before there were others). */
  target?: LabelTarget;
}

/** Sorts strings by code unit, independent of locale, so every participant gets the same order. */
export function sortedStrings(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
