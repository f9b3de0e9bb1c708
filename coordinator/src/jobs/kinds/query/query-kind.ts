import { parseQuerySpec } from '@tessera/jobs';
import { sealedSetup } from '../../../service/sealed-setup.js';
import { BudgetRefused, budgetConflicts } from '../../privacy-precheck.js';
import type { JobKind } from '../job-kind.js';
import { QueryRunner } from './query-runner.js';

/**
 * Analytics queries: the SQL subset planned with its bounds and domains, no participant whose reported budget it would
 * exceed, the analyst's key when sealed.
 */
export const queryKind: JobKind = {
  name: 'query',
  async submit({ parsed, req, registry }) {
    const { spec } = parseQuerySpec(parsed);
    const conflicts = budgetConflicts(
      { dataset: spec.dataset, privacy: { ...spec.privacy, unit: 'record' } },
      registry.serving(spec.dataset),
    );
    if (conflicts.length) throw new BudgetRefused(conflicts);
    const sealed = spec.secure.mode === 'sealed' ? await sealedSetup(req) : undefined;
    return { name: spec.name, specJson: JSON.stringify(parsed), roundsTotal: 1, context: sealed ? { sealed } : {} };
  },
  runner: (job, d) => new QueryRunner(job, d.store, d.registry, d.slots, d.events, d.sealed),
};
