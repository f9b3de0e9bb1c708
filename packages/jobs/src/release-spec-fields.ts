// Field readers the specs of jobs of secure, customer-level private releases share (recommend, catalogue).
import { isObj, JobSpecError, noUnknownKeys, num, type Obj, show } from './job-spec-fields.js';
import { parseSubmission } from './submission.js';

/** The longest a round or the wait for participants may take: a week. */
const WEEK_SECONDS = 7 * 24 * 3600;

/** The top level of a `kind` job spec: an object of `fields` only, with a well-formed submission and that kind. */
export function kindSpecRoot(input: unknown, kind: 'recommend' | 'catalogue', fields: readonly string[]): Obj {
  if (!isObj(input))
    throw new JobSpecError('(root)', `a ${kind} job spec is an object with name, kind, dataset, got ${show(input)}`);
  noUnknownKeys(input, fields, '');
  parseSubmission(input.submission);
  if (input.kind !== kind) throw new JobSpecError('kind', `must be "${kind}", got ${show(input.kind)}`);
  return input;
}

/** privacy.epsilon (above 0, at most 100) and privacy.delta (above 0, at most 0.1) of the privacy section `o`. */
export function epsilonDelta(o: Obj, d: { epsilon: number; delta: number }): { epsilon: number; delta: number } {
  return {
    epsilon: num(o, 'epsilon', 'privacy.', d.epsilon, { exclusiveMin: 0, max: 100 }),
    delta: num(o, 'delta', 'privacy.', d.delta, { exclusiveMin: 0, max: 0.1 }),
  };
}

/** secure.dropoutRate and secure.corruptFraction of the secure section `o`: each 0 to 0.5, 0.1 unless given. */
export function secureRates(o: Obj): { dropoutRate: number; corruptFraction: number } {
  return {
    dropoutRate: num(o, 'dropoutRate', 'secure.', 0.1, { min: 0, max: 0.5 }),
    corruptFraction: num(o, 'corruptFraction', 'secure.', 0.1, { min: 0, max: 0.5 }),
  };
}

/** The top-level minParticipants (at least 2), roundTimeoutSeconds and waitForParticipantsSeconds (up to a week). */
export function roundFields(
  input: Obj,
  d: { minParticipants: number; roundTimeoutSeconds: number; waitForParticipantsSeconds: number },
): { minParticipants: number; roundTimeoutSeconds: number; waitForParticipantsSeconds: number } {
  return {
    minParticipants: num(input, 'minParticipants', '', d.minParticipants, { int: true, min: 2 }),
    roundTimeoutSeconds: num(input, 'roundTimeoutSeconds', '', d.roundTimeoutSeconds, {
      exclusiveMin: 0,
      max: WEEK_SECONDS,
    }),
    waitForParticipantsSeconds: num(input, 'waitForParticipantsSeconds', '', d.waitForParticipantsSeconds, {
      exclusiveMin: 0,
      max: WEEK_SECONDS,
    }),
  };
}
