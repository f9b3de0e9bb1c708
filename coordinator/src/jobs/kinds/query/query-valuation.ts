// A query's valuation (`valuation: records`): the members' row counts read from the count coordinates of its sum.
import type { JobValuation } from '@tessera/payouts';
import { groupLabelOf, type QuerySpec, type ValuationPlan } from '@tessera/jobs';

/** What the analyst sees of the valuation in the job's result: each member's value, its noise and how it was made. */
export interface ResultValuation {
  method: string;
  members: { participant: string; value: number }[];
  noiseStd: number;
  note: string;
}

/**
 * The valuation in a decoded query sum: member m of the cohort (QueryTask.valuation_slots, in order) has its counts
 * per group at countOffset + m x G + g; a survivor's value is the sum of its counts. A member that dropped out has no
 * input in the sum: it is not a member, whatever noise its slots carry. `countStd` is the noise standard deviation of
 * one count in rows (0 when exact); a value's is sqrt(G) x it.
 */
export function decodeValuation(
  plan: ValuationPlan,
  values: Float64Array,
  countStd: number,
  cohort: readonly string[],
  survivors: readonly string[],
  privacy: Pick<QuerySpec['privacy'], 'mode' | 'epsilon' | 'delta'>,
): JobValuation {
  const G = plan.countGroups;
  const alive = new Set(survivors);
  const grouped = plan.groups.columns.length > 0;
  const members = cohort.flatMap((participant, m) => {
    if (!alive.has(participant)) return [];
    const at = plan.countOffset + m * G;
    const counts = Array.from(values.subarray(at, at + G));
    const value = counts.reduce((a, b) => a + b, 0);
    return [{ participant, value, ...(grouped ? { groups: counts } : {}) }];
  });
  const exact = privacy.mode === 'none';
  return {
    method: 'records',
    members,
    ...(grouped ? { groups: Array.from({ length: G }, (_, g) => groupLabelOf(plan, g)) } : {}),
    epsilon: 0,
    delta: exact ? null : privacy.delta,
    noiseStd: exact ? 0 : countStd * Math.sqrt(G),
    note: exact ? 'exact' : `released jointly with the query at epsilon ${privacy.epsilon}`,
  };
}

/** The valuation as the job's result JSON carries it for the analyst. */
export function resultValuationOf(v: JobValuation): ResultValuation {
  return {
    method: v.method,
    members: v.members.map(({ participant, value }) => ({ participant, value })),
    noiseStd: v.noiseStd,
    note: v.note,
  };
}
