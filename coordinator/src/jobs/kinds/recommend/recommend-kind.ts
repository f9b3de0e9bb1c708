import { parseRecommendSpec, recommendNoise, recommendUpdateLength } from '@tessera/jobs';
import { sealedSetup } from '../../../service/sealed-setup.js';
import { BudgetRefused, budgetConflicts } from '../../privacy-precheck.js';
import type { JobKind } from '../job-kind.js';
import { RecommendRunner } from './recommend-runner.js';

/**
 * Joint recommendation (issue 22): the spec (catalogue, columns, model, rounds), under customer-level DP a noise the
 * ring can carry for the participants serving the data set now, no participant whose reported budget it would
 * exceed, and in sealed mode the analyst's signed key. One stored round per training round.
 */
export const recommendKind: JobKind = {
  name: 'recommend',
  async submit({ parsed, req, registry }) {
    const spec = parseRecommendSpec(parsed);
    const serving = registry.serving(spec.dataset);
    // Throws a JobSpecError naming privacy.maxCustomers (or secure.corruptFraction) when no level fits the ring.
    recommendNoise(
      spec,
      Math.max(serving.length, spec.minParticipants),
      recommendUpdateLength(spec.model.algorithm, spec.catalogue.items.length, spec.model.k),
    );
    // A customer-level guarantee implies the record-level one at the same epsilon: the ledgers' unit is the record.
    const conflicts = budgetConflicts(
      { dataset: spec.dataset, privacy: { mode: spec.privacy.mode, epsilon: spec.privacy.epsilon, unit: 'record' } },
      serving,
    );
    if (conflicts.length) throw new BudgetRefused(conflicts);
    const sealed = spec.secure.mode === 'sealed' ? await sealedSetup(req) : undefined;
    return {
      name: spec.name,
      // As submitted: the normalised spec carries both alpha and itemRate, which parseRecommendSpec refuses together.
      specJson: JSON.stringify(parsed),
      roundsTotal: spec.rounds,
      context: sealed ? { sealed } : {},
    };
  },
  runner: (job, d) => new RecommendRunner(job, d),
};
