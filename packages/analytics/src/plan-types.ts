import type { Query } from './query.js';

// The layout of a query plan (which counters and sections make up a participant's vector) and the
// options and limits that shape it.

export interface QueryOptions {
  /** For every numeric aggregate column: values are clamped to [lo, hi]; the bounds set the sensitivity. */
  bounds: Record<string, [number, number]>;
  /** For every GROUP BY column, and for HISTOGRAM over a categorical column: the declared values. */
  domains: Record<string, string[]>;
  /** HISTOGRAM/QUANTILES over a numeric column: bin edges (default: 32 equal bins over the bounds). */
  bins?: Record<string, number[]>;
  /** Groups whose (noisy) row count is below this are suppressed (default 0). */
  minCount?: number;
  /** Heavy hitters sketch settings. depth/width are optional extensions (defaults 4 and 256). */
  topK?: { maxLength?: number; threshold?: number; depth?: number; width?: number };
}

/**
 * What one "neighbouring data set" differs by, which the sensitivity covers: one row (`record`,
 * the default), or all the rows of one customer (`customer`): each participant keeps at most
 * `maxRowsPerUser` of a customer's contributing rows (identified by `userColumn`), chosen at
 * random with its own CSPRNG, so the sensitivity is `maxRowsPerUser` times the per-record one.
 */
export type PrivacyUnit = { unit: 'record' } | CustomerUnit;
export interface CustomerUnit {
  unit: 'customer';
  userColumn: string;
  maxRowsPerUser: number;
}
/** The largest per-customer cap a plan accepts (the noise grows linearly with it). */
export const MAX_ROWS_PER_USER = 10_000;

/**
 * A per-group counter: rows (COUNT(*)), non-missing cells (COUNT(col)), numeric cells, clamped sum, clamped sum of
 * squares.
 */
export type SlotKind = 'rows' | 'nonnull' | 'n' | 'sum' | 'sq';
export interface Slot {
  kind: SlotKind;
  column?: string;
  bounds?: [number, number];
}

export interface GroupLayout {
  /** GROUP BY columns (empty: one group). */
  columns: string[];
  /** Declared domain of each group column. */
  domains: string[][];
  /** Number of groups: the product of the domain sizes (1 without GROUP BY). */
  count: number;
  /** The counters of each group's block; slots[0] is always the row count. Block g starts at g * slots.length. */
  slots: Slot[];
}

export type Section =
  | {
      kind: 'histogram';
      name: string;
      column: string;
      offset: number;
      length: number;
      edges: number[];
      clamp: [number, number];
    }
  | { kind: 'categories'; name: string; column: string; offset: number; length: number; categories: string[] }
  | {
      kind: 'quantiles';
      name: string;
      column: string;
      offset: number;
      length: number;
      edges: number[];
      clamp: [number, number];
      leaves: number;
      levels: number;
    }
  | {
      kind: 'topk';
      name: string;
      column: string;
      offset: number;
      length: number;
      k: number;
      maxLength: number;
      depth: number;
      width: number;
      seed: string;
    };

/** How one SELECT item is read from the vector. */
export type Output =
  | { kind: 'group'; name: string; column: string }
  | { kind: 'count' | 'sum'; name: string; fn: string; slot: number }
  | { kind: 'avg'; name: string; fn: string; n: number; sum: number }
  | { kind: 'variance'; name: string; fn: string; n: number; sum: number; sq: number }
  | { kind: 'section'; name: string; fn: string; section: number };

export interface QueryPlan {
  query: Query;
  table: string;
  /** Length of the vector every participant contributes. */
  length: number;
  /**
   * Per coordinate: the most one record can add in absolute value (raw units). Dividing by it normalises one record's
   * contribution to [-1, 1].
   */
  scale: Float64Array;
  /**
   * L2 norm of one unit's normalised contribution (the sensitivity the noise is calibrated to, in normalised units):
   * recordSensitivity x maxRowsPerUser for unit customer.
   */
  sensitivity: number;
  /** L2 norm of one record's normalised contribution. */
  recordSensitivity: number;
  /** The unit the sensitivity protects. */
  unit: PrivacyUnit;
  /** Columns the query reads (with unit customer, the user column last). */
  columns: string[];
  groups: GroupLayout;
  /** Offset of the first section (= groups.count * groups.slots.length). */
  sectionsOffset: number;
  sections: Section[];
  outputs: Output[];
  minCount: number;
  /** TOP_K decoding threshold if declared (otherwise minCount, or 1% of the rows). */
  topKThreshold?: number;
}

export const DEFAULT_BINS = 32;
export const TOPK_DEFAULTS = { maxLength: 16, depth: 4, width: 256 } as const;
/** Public seed of the sketch hashes: every participant and the decoder must agree on it. */
export const TOPK_SEED = 'tessera/analytics/top-k/v1';
export const MAX_GROUP_COLUMNS = 2;
export const MAX_VECTOR_LENGTH = 1 << 24;
