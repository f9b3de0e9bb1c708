import { parseScoreSpec } from '@tessera/jobs';
import { scoringSetup } from '../../../service/scoring-setup.js';
import { BudgetRefused, budgetConflicts } from '../../privacy-precheck.js';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { ScoreRunner } from './score-runner.js';

/**
 * Encrypted scoring: the model's features, noised totals on a data set some participant keeps a budget for (within
 * what remains of it), the analyst's CKKS keys and encrypted model, signed by the analyst.
 */
export const scoreKind: JobKind = {
  name: 'score',
  async submit({ parsed, req, registry }) {
    const spec = parseScoreSpec(parsed);
    const encoded = spec.features.reduce((n, f) => n + (f.kind === 'categorical' ? (f.categories ?? []).length : 1), 0);
    const serving = registry.serving(spec.dataset);
    const budgeted = serving
      .filter((s) => s.budgets.some((b) => b.dataset === spec.dataset))
      .map((s) => s.participantId);
    if (budgeted.length && !spec.privacy) {
      throw new SubmissionRefused(
        'precondition',
        `job refused: participant(s) ${budgeted.join(', ')} keep a privacy budget for data set "${spec.dataset}" ` +
          'and serve only differentially private jobs; ask for noised totals with privacy: {epsilon, delta, clip} ' +
          '(tessera score --epsilon E --clip C)',
      );
    }
    if (spec.privacy) {
      const conflicts = budgetConflicts(
        { dataset: spec.dataset, privacy: { mode: spec.privacy.mode, unit: 'record', epsilon: spec.privacy.epsilon } },
        serving,
      );
      if (conflicts.length) throw new BudgetRefused(conflicts);
    }
    const scoring = await scoringSetup(req, encoded);
    return { name: spec.name, specJson: JSON.stringify(spec), roundsTotal: 1, context: { scoring } };
  },
  runner: (job, d) => new ScoreRunner(job, d.store, d.registry, d.events, d.sealed),
};
