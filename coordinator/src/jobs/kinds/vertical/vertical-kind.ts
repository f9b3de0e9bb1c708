// Vertical federated learning between a guest (the label) and a host (other features) of the same customers.
import { parseVerticalSpec } from '@tessera/jobs';
import { randomBytes } from 'node:crypto';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { VerticalRunner } from './vertical-runner.js';

/**
 * Checks at submission: the spec parses (one guest with the label, hosts without), and every party is an enrolled
 * participant. The service wires one guest and one host; a spec with more hosts is refused here, naming the limit.
 * A fresh 32-byte alignment salt is drawn for the job (node:crypto), so no two jobs align the same hashes.
 */
export const verticalKind: JobKind = {
  name: 'vertical',
  async submit({ parsed, store }) {
    const spec = parseVerticalSpec(parsed);
    if (spec.parties.length > 2)
      throw new SubmissionRefused(
        'invalid-spec',
        `parties: ${spec.parties.length} parties, and this coordinator runs a guest with one host; ` +
          'split the job into one job per host',
      );
    for (const [i, p] of spec.parties.entries()) {
      if (!(await store.getParticipant(p.participant)))
        throw new SubmissionRefused(
          'invalid-spec',
          `parties[${i}].participant: no enrolled participant "${p.participant}" ` +
            '(tessera job list-participants shows them)',
        );
    }
    return {
      name: spec.name,
      specJson: JSON.stringify(spec),
      roundsTotal: 1,
      context: { verticalSalt: randomBytes(32).toString('hex') },
    };
  },
  runner: (job, d) => new VerticalRunner(job, d.store, d.registry, d.events),
};
