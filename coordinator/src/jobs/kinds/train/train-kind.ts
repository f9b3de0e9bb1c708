import { calibrateJobNoise } from '@tessera/fl';
import { accountingSampleRate, parseJobSpec, PRIVATE_STATISTICS_RELEASES } from '@tessera/jobs';
import { sealedSetup } from '../../../service/sealed-setup.js';
import { BudgetRefused, budgetConflicts } from '../../privacy-precheck.js';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { checkTfjsAtSubmission } from './job-model.js';
import { TrainingJob } from './training-job.js';

/**
 * Training jobs: the spec, an epsilon some noise multiplier reaches, no participant whose reported
 * budget it would exceed, a survivor floor the serving participants can meet, and in sealed mode
 * the analyst's signed key.
 */
export const trainKind: JobKind = {
  name: 'train',
  async submit({ parsed, req, registry }) {
    const spec = parseJobSpec(parsed);
    if (spec.privacy.mode !== 'none') {
      try {
        calibrateJobNoise({
          epsilon: spec.privacy.epsilon,
          delta: spec.privacy.delta,
          sampleRate: accountingSampleRate(spec),
          rounds: spec.rounds,
          fullReleases: PRIVATE_STATISTICS_RELEASES,
        });
      } catch (e) {
        throw new SubmissionRefused('invalid-spec', `job spec: privacy.epsilon: ${(e as Error).message}`);
      }
    }
    try {
      await checkTfjsAtSubmission(spec);
    } catch (e) {
      throw new SubmissionRefused('invalid-spec', (e as Error).message);
    }
    const serving = registry.serving(spec.dataset);
    const conflicts = budgetConflicts(spec, serving);
    if (conflicts.length) throw new BudgetRefused(conflicts);
    const floor = spec.privacy.survivorFloor;
    if (floor !== undefined && serving.length > 0 && floor > serving.length) {
      throw new SubmissionRefused(
        'invalid-spec',
        `job spec: privacy.survivorFloor: is ${floor}, above the ${serving.length} participant(s) ` +
          `serving data set "${spec.dataset}": no round could release; lower it to at most ${serving.length}`,
      );
    }
    const sealed = spec.secure.mode === 'sealed' ? await sealedSetup(req) : undefined;
    return {
      name: spec.name,
      specJson: JSON.stringify(spec),
      roundsTotal: spec.rounds,
      context: sealed ? { sealed } : {},
    };
  },
  runner: (job, d) => new TrainingJob(job, d.store, d.registry, d.slots, d.events, d.sealed, d.ledger, d.lease),
};
