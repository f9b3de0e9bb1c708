// A query's valuation slots (`valuation: records`): checked against the signed spec, then this node's row counts.
import type { QueryPlan } from '@tessera/analytics';
import { MAX_VALUATION_SLOTS, valuationPlan } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { ConsentRefusal, type ConsentGuard } from './consent/consent-guard.js';
import { PrivacyRefusal, taskSpecOf } from './privacy/task-spec.js';

/** The members the task's query asks row counts of (QueryTask.valuation_slots); empty for a query without. */
export const valuationSlotsOf = (task: tessera.v1.ITask): string[] => [...(task.query?.valuationSlots ?? [])];

/**
 * Checks the valuation slots a query task carries before any row is read (PrivacyRefusal): the job's spec must ask
 * for `valuation: records` (else the coordinator asks for counts the analyst did not sign for), at most
 * MAX_VALUATION_SLOTS members, none twice, this node's own id among them exactly once. A task without slots passes.
 */
export function checkValuationSlots(task: tessera.v1.ITask, self: string): void {
  const slots = valuationSlotsOf(task);
  if (slots.length === 0) return;
  const refuse = (why: string) =>
    new PrivacyRefusal(`privacy check: the query task's valuation slots ${why}; refused before reading any data`);
  const spec = taskSpecOf(task);
  if (spec?.kind !== 'query' || spec.spec.valuation !== 'records')
    throw refuse(
      "ask for this node's row counts, and the analyst's job spec does not ask for them (valuation: records): " +
        'the coordinator cannot add a release the analyst did not sign for',
    );
  if (slots.length > MAX_VALUATION_SLOTS)
    throw refuse(`name ${slots.length} members, more than the ${MAX_VALUATION_SLOTS} a query's valuation may`);
  const seen = new Set<string>();
  for (const id of slots) {
    if (seen.has(id)) throw refuse(`name member ${JSON.stringify(id)} twice`);
    seen.add(id);
  }
  if (!seen.has(self)) throw refuse(`do not name this node (${self}): its counts would have no slot of their own`);
}

/**
 * A query with valuation slots releases this node's row counts to the coordinator (noisily under DP): the owner's
 * consent policy must grant the job's analyst the purpose `valuation` for query jobs on the data set, as well as the
 * query (ConsentRefusal, naming the missing grant). A node without a policy serves it, as it serves every query.
 */
export function admitValuation(consent: ConsentGuard, task: tessera.v1.ITask, analyst: string): void {
  if (valuationSlotsOf(task).length === 0 || !consent.policy) return;
  try {
    consent.admit(task, tessera.v1.Stage.QUERY, analyst, { purpose: 'valuation', kind: 'query' });
  } catch (e) {
    if (!(e instanceof ConsentRefusal)) throw e;
    throw new ConsentRefusal(
      `${e.message}; the query's spec asks for valuation: records, which releases this node's row count per group ` +
        'to split the sales of the report: an owner who agrees adds a grant with purpose valuation (job kind query) ' +
        'for this analyst to the consent policy',
    );
  }
}

/**
 * The query's vector with this node's row counts per group appended in its own slots (zeros in every other member's),
 * member-major as valuationPlan lays them out. `vector` is the query's local vector, raw (exact) or normalised (DP):
 * each group's row counter has scale 1 either way, so its value is the count of rows the query used (after WHERE and
 * the customer cap, and 0 where minGroupSize zeroed the group).
 */
export function withValuationCounts(
  plan: QueryPlan,
  vector: Float64Array,
  slots: readonly string[],
  self: string,
): Float64Array {
  const extended = valuationPlan(plan, slots.length);
  if (vector.length !== plan.length)
    throw new Error(`the query computed ${vector.length} values, and its plan has ${plan.length}`);
  const out = new Float64Array(extended.length);
  out.set(vector);
  const m = slots.indexOf(self);
  const width = plan.groups.slots.length;
  for (let g = 0; g < extended.countGroups; g++)
    out[extended.countOffset + m * extended.countGroups + g] = vector[g * width]!;
  return out;
}

/** The note a query's audit entry carries when it released valuation counts ('' otherwise). */
export function valuationAuditNote(task: tessera.v1.ITask, stage: number): string {
  const slots = valuationSlotsOf(task).length;
  if (stage !== tessera.v1.Stage.QUERY || slots === 0) return '';
  return (
    `valuation counts included: this node's row count per group, in its own slots among ${slots} members ` +
    '(valuation: records, released with the query)'
  );
}
