// The exact encoding of a query without differential privacy: what the coordinator announces and the analyst decodes.
import type { QueryPlan } from '@tessera/analytics';

/** Rows a participant may contribute to a query; sizes the fixed-point scale (a node with more refuses). */
export const QUERY_MAX_RECORDS = 1_000_000;

/**
 * Fraction bits of the exact (wide) encoding of a query without differential privacy: all of the 63-bit signed range
 * the largest total (QUERY_MAX_RECORDS records at the largest per-record scale) leaves, at most 32. A pure function of
 * the plan, so participants and the analyst derive it from the signed spec, not from what the coordinator says.
 */
export function exactFractionBits(plan: Pick<QueryPlan, 'scale'>): number {
  const largest = QUERY_MAX_RECORDS * Math.max(1, ...plan.scale);
  return Math.max(8, Math.min(32, Math.floor(62 - Math.log2(largest))));
}
