import type { QueryPlan } from './plan.js';

/** What `suppressSmallGroups` zeroed: whole groups, and cells of sections (bins, tree leaves, sketch counters). */
export interface SmallGroupReport {
  vector: Float64Array;
  suppressedGroups: number;
  suppressedCells: number;
}

/**
 * A participant's minimum group size for an exact (non-DP) release, on its local vector in raw units:
 * - a group (GROUP BY block, or the single group without GROUP BY) with fewer than `minGroupSize`
 *   contributing rows contributes nothing: its whole block is zeroed, row count included; without
 *   GROUP BY that zeroes the whole vector, sections too;
 * - in the sections, a histogram bin, a quantile-tree leaf or a sketch counter counting fewer than
 *   `minGroupSize` rows is zeroed; the quantile tree's inner nodes are then recomputed from its
 *   leaves, so no parent minus sibling gives a zeroed leaf back.
 * Counts of 0 stay 0. Returns a new vector; `minGroupSize` 0 or 1 changes nothing.
 */
export function suppressSmallGroups(plan: QueryPlan, raw: Float64Array, minGroupSize: number): SmallGroupReport {
  if (!(Number.isFinite(minGroupSize) && minGroupSize >= 0))
    throw new RangeError(`minGroupSize must be a count of at least 0, got ${minGroupSize}`);
  if (raw.length !== plan.length)
    throw new RangeError(`suppressSmallGroups: the vector has ${raw.length} entries, the plan ${plan.length}`);
  const vector = Float64Array.from(raw);
  const report: SmallGroupReport = { vector, suppressedGroups: 0, suppressedCells: 0 };
  if (minGroupSize <= 1) return report;
  const small = (c: number) => c > 0 && c < minGroupSize;
  const width = plan.groups.slots.length;
  // vector.length === plan.length (checked above), and the plan's groups and sections lie inside it.
  for (let g = 0; g < plan.groups.count; g++) {
    if (!small(vector[g * width]!)) continue;
    vector.fill(0, g * width, (g + 1) * width);
    report.suppressedGroups++;
  }
  if (plan.sections.length === 0) return report;
  // Sections come only without GROUP BY: they cover the single group's rows.
  if (report.suppressedGroups > 0) {
    vector.fill(0, plan.sectionsOffset);
    return report;
  }
  for (const s of plan.sections) {
    const part = vector.subarray(s.offset, s.offset + s.length);
    if (s.kind === 'quantiles') {
      const first = s.leaves - 1;
      for (let j = first; j < part.length; j++) {
        if (small(part[j]!)) {
          part[j] = 0;
          report.suppressedCells++;
        }
      }
      // A complete tree of 2 * leaves - 1 nodes: the children of an inner node j are in range.
      for (let j = first - 1; j >= 0; j--) part[j] = part[2 * j + 1]! + part[2 * j + 2]!;
    } else {
      for (let j = 0; j < part.length; j++) {
        if (small(part[j]!)) {
          part[j] = 0;
          report.suppressedCells++;
        }
      }
    }
  }
  return report;
}
