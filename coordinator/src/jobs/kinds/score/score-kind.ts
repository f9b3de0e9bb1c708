import { parseScoreSpec } from '@tessera/jobs';
import { scoringSetup } from '../../../service/scoring-setup.js';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { ScoreRunner } from './score-runner.js';

/**
 * Encrypted scoring: the model's features, no participant that serves only private jobs (scoring is not one), the
 * analyst's CKKS keys and encrypted model.
 */
export const scoreKind: JobKind = {
  name: 'score',
  async submit({ parsed, req, registry }) {
    const spec = parseScoreSpec(parsed);
    const encoded = spec.features.reduce((n, f) => n + (f.kind === 'categorical' ? (f.categories ?? []).length : 1), 0);
    const budgeted = registry
      .serving(spec.dataset)
      .filter((s) => s.budgets.some((b) => b.dataset === spec.dataset))
      .map((s) => s.participantId);
    if (budgeted.length) {
      throw new SubmissionRefused(
        'precondition',
        `job refused: participant(s) ${budgeted.join(', ')} keep a privacy budget for data set "${spec.dataset}" ` +
          'and serve only differentially private jobs; encrypted scoring is not one',
      );
    }
    const scoring = await scoringSetup(req, encoded);
    return { name: spec.name, specJson: JSON.stringify(spec), roundsTotal: 1, context: { scoring } };
  },
  runner: (id, d) => new ScoreRunner(id, d.store, d.registry, d.events, d.sealed),
};
