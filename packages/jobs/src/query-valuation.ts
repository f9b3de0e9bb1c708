// The plan of a query with `valuation: records`: the report's vector, then every member's row counts per group.
import type { QueryPlan } from '@tessera/analytics';
import { JobSpecError } from './job-spec.js';
import { SPEC_CAPS } from './spec-caps.js';

/** The most members (QueryTask.valuation_slots) a query's valuation may name: a node refuses more. */
export const MAX_VALUATION_SLOTS = 10_000;

/**
 * A query plan extended by the valuation's count coordinates, as the coordinator calibrates and decodes it and as a
 * participant recomputes it from the signed spec and the task's slot count. Its `length`, `scale` and sensitivities
 * are the joint release's, so queryNoise and decodeNoisySum work on it unchanged.
 */
export interface ValuationPlan extends QueryPlan {
  /** Where the count coordinates start: the report's own length. */
  countOffset: number;
  /** Counts per member: max(1, the plan's groups). */
  countGroups: number;
  /** Members with slots (QueryTask.valuation_slots). */
  members: number;
}

/**
 * The plan of a query whose vector carries `slots` members' row counts per group after the report, member-major
 * (member m's count of group g at countOffset + m x G + g). A record adds 1 to one count of its own member, so the
 * record sensitivity becomes sqrt(r^2 + 1), times maxRowsPerUser for unit customer; each count's scale is 1.
 */
export function valuationPlan(plan: QueryPlan, slots: number): ValuationPlan {
  if (!Number.isInteger(slots) || slots < 1 || slots > MAX_VALUATION_SLOTS)
    throw new JobSpecError(
      'valuation',
      `a query's valuation counts rows for 1 to ${MAX_VALUATION_SLOTS} members, got ${slots}`,
    );
  const groups = Math.max(1, plan.groups.count);
  const length = plan.length + slots * groups;
  if (length > SPEC_CAPS.queryVectorLength)
    throw new JobSpecError(
      'valuation',
      `the query's vector with ${slots} members' counts of ${groups} groups has ${length} entries, more than the ` +
        `${SPEC_CAPS.queryVectorLength} of the queryVectorLength cap; declare fewer groups, or remove valuation`,
    );
  const scale = new Float64Array(length);
  scale.set(plan.scale);
  scale.fill(1, plan.length);
  const recordSensitivity = Math.sqrt(plan.recordSensitivity ** 2 + 1);
  const perUnit = plan.unit.unit === 'customer' ? plan.unit.maxRowsPerUser : 1;
  return {
    ...plan,
    length,
    scale,
    recordSensitivity,
    sensitivity: perUnit * recordSensitivity,
    countOffset: plan.length,
    countGroups: groups,
    members: slots,
  };
}

/**
 * The factor by which a joint release's noise standard deviation exceeds the report's alone: the ratio of the
 * sensitivities, sqrt(r^2 + 1) / r (the fixed-point rounding term aside).
 */
export function valuationNoiseFactor(plan: QueryPlan): number {
  return Math.sqrt(plan.recordSensitivity ** 2 + 1) / plan.recordSensitivity;
}

/** The label of group g of a plan (its GROUP BY values joined by '/', as decodeResult orders them). */
export function groupLabelOf(plan: QueryPlan, g: number): string {
  const { columns, domains } = plan.groups;
  const values: string[] = [];
  let rest = g;
  for (let i = columns.length - 1; i >= 0; i--) {
    const domain = domains[i]!;
    values.unshift(domain[rest % domain.length]!);
    rest = Math.floor(rest / domain.length);
  }
  return values.join('/');
}
