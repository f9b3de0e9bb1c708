import { catalogueNoise, parseCatalogueSpec } from '@tessera/jobs';
import { BudgetRefused, budgetConflicts } from '../../privacy-precheck.js';
import type { JobKind } from '../job-kind.js';
import { CatalogueRunner } from './catalogue-runner.js';

/**
 * A private item catalogue (issue 22): the spec, a noise the ring can carry for the participants serving the data set
 * now, and no participant whose reported budget it would exceed. One stored round per byte of the trie.
 */
export const catalogueKind: JobKind = {
  name: 'catalogue',
  async submit({ parsed, registry }) {
    const spec = parseCatalogueSpec(parsed);
    const serving = registry.serving(spec.dataset);
    // Throws a JobSpecError naming privacy.maxCustomers (or secure.corruptFraction) when no level fits the ring.
    catalogueNoise(spec, Math.max(serving.length, spec.minParticipants));
    // A customer-level guarantee implies the record-level one at the same epsilon: the ledgers' unit is the record.
    const conflicts = budgetConflicts(
      { dataset: spec.dataset, privacy: { mode: spec.privacy.mode, epsilon: spec.privacy.epsilon, unit: 'record' } },
      serving,
    );
    if (conflicts.length) throw new BudgetRefused(conflicts);
    return { name: spec.name, specJson: JSON.stringify(parsed), roundsTotal: spec.maxLength + 1, context: {} };
  },
  runner: (job, d) => new CatalogueRunner(job, d),
};
