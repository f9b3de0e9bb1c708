import { parseOverlapSpec } from '@tessera/jobs';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { OverlapRunner } from './overlap-runner.js';

/** Audience overlap between two enrolled participants (private set intersection cardinality). */
export const overlapKind: JobKind = {
  name: 'overlap',
  async submit({ parsed, store }) {
    const spec = parseOverlapSpec(parsed);
    for (const id of spec.participants) {
      if (!(await store.getParticipant(id)))
        throw new SubmissionRefused(
          'invalid-spec',
          `participants: no enrolled participant "${id}" (tessera job list-participants shows them)`,
        );
    }
    return { name: spec.name, specJson: JSON.stringify(spec), roundsTotal: 1, context: {} };
  },
  runner: (job, d) => new OverlapRunner(job, d.store, d.registry, d.events),
};
