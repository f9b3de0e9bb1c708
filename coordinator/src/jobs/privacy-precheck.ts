import type { tessera } from '@tessera/proto';
import type { JobSpec } from '@tessera/jobs';
import { SubmissionRefused } from './kinds/job-kind.js';

/** A submission refused on the participants' reported budgets (budgetConflicts), with how many would refuse it. */
export class BudgetRefused extends SubmissionRefused {
  readonly participants: number;
  constructor(conflicts: readonly string[]) {
    super('precondition', `job refused: ${conflicts.join('; ')}`);
    this.participants = conflicts.length;
  }
}

/** A connected participant as the precheck sees it: its id and the budgets from its hello. */
export interface BudgetHolder {
  participantId: string;
  budgets: tessera.v1.IDatasetBudget[];
}

/**
 * Reasons a job cannot run on the participants' reported budgets, one per participant that
 * would refuse it (empty when none can be seen yet). It compares the job's epsilon with the
 * remaining epsilon (budget minus spent); each participant's own ledger has the final word.
 */
export function budgetConflicts(
  spec: Pick<JobSpec, 'dataset'> & { privacy: Pick<JobSpec['privacy'], 'mode' | 'unit' | 'epsilon'> },
  holders: readonly BudgetHolder[],
): string[] {
  const out: string[] = [];
  for (const h of holders) {
    const b = h.budgets.find((x) => x.dataset === spec.dataset);
    if (!b) continue;
    const epsilon = Number(b.epsilon ?? 0),
      spent = Number(b.spentEpsilon ?? 0),
      delta = Number(b.delta ?? 0);
    const what =
      `participant ${h.participantId} keeps a privacy budget for data set "${spec.dataset}" ` +
      `(epsilon ${epsilon} at delta ${delta}, unit ${b.unit}, spent ${spent.toFixed(3)})`;
    if (spec.privacy.mode === 'none')
      out.push(
        `${what} and serves only differentially private jobs; set privacy.mode to distributed, central or local`,
      );
    else if (b.unit === 'participant' && spec.privacy.unit === 'record')
      out.push(`${what}, which record-level privacy does not cover; set privacy.unit to participant`);
    else if (spec.privacy.epsilon > epsilon - spent + 1e-12) {
      out.push(
        `${what}: ${(epsilon - spent).toFixed(3)} remains and the job asks for ${spec.privacy.epsilon}; ` +
          'lower privacy.epsilon or leave this participant out',
      );
    }
  }
  return out;
}
