// Joint scoring with a completed vertical job's model: its guest and host score the customers both hold.
import { parseVerticalScoreSpec, parseVerticalSpec } from '@tessera/jobs';
import { randomBytes } from 'node:crypto';
import { SubmissionRefused, type JobKind } from '../job-kind.js';
import { VerticalRunner } from './vertical-runner.js';

/**
 * Checks at submission: the spec parses, the model it names is a completed vertical job of this coordinator, and the
 * parties are that job's guest and host in the same roles (each holds its own part of the model). A fresh 32-byte
 * alignment salt is drawn for the job.
 */
export const verticalScoreKind: JobKind = {
  name: 'vertical-score',
  async submit({ parsed, store }) {
    const spec = parseVerticalScoreSpec(parsed);
    const trained = await store.getJob(spec.model);
    const kind = trained ? (JSON.parse(trained.specJson || '{}') as { kind?: unknown }).kind : undefined;
    if (!trained || kind !== 'vertical')
      throw new SubmissionRefused('invalid-spec', `model: "${spec.model}" is not a vertical job of this coordinator`);
    if (trained.status !== 'completed')
      throw new SubmissionRefused(
        'precondition',
        `model: vertical job ${spec.model} is ${trained.status}, not completed; its model cannot score yet`,
      );
    const roles = new Map(parseVerticalSpec(JSON.parse(trained.specJson)).parties.map((p) => [p.participant, p.role]));
    spec.parties.forEach((p, i) => {
      if (roles.get(p.participant) !== p.role) {
        const was = roles.has(p.participant) ? `the ${roles.get(p.participant)}` : 'no party';
        throw new SubmissionRefused(
          'invalid-spec',
          `parties[${i}]: ${p.participant} was ${was} ` +
            `of job ${spec.model}; a score job's parties are that job's, in the same roles`,
        );
      }
    });
    if (spec.parties.length !== roles.size)
      throw new SubmissionRefused(
        'invalid-spec',
        `parties: job ${spec.model} had ${roles.size} parties; name them all`,
      );
    return {
      name: spec.name,
      specJson: JSON.stringify(spec),
      roundsTotal: 1,
      context: { verticalSalt: randomBytes(32).toString('hex') },
    };
  },
  runner: (job, d) => new VerticalRunner(job, d.store, d.registry, d.events),
};
