// The spec of a vertical score job: the parties of a trained vertical job score new customers together.
import { isObj, JobSpecError, noUnknownKeys, num, show, str } from './job-spec-fields.js';
import { parseSubmission } from './submission.js';
import { MAX_TIMEOUT_SECONDS, partiesOf, saltOf, type VerticalParty } from './vertical-spec.js';

/**
 * A vertical score job: the guest and the host of the completed vertical job `model` align the customers of the data
 * sets named here (new customers, say) and score the ones both hold with their parts of that job's model. Each party
 * loads its own part from its ledger; the guest keeps the per-customer scores, the analyst receives their count and
 * distribution.
 */
export interface VerticalScoreSpec {
  name: string;
  kind: 'vertical-score';
  /** The id of the completed vertical job whose model scores. */
  model: string;
  parties: VerticalParty[];
  salt?: string;
  /** Refused when fewer customers are shared. Default 1. */
  minOverlap: number;
  waitForParticipantsSeconds: number;
  timeoutSeconds: number;
}

const FIELDS = [
  'name',
  'kind',
  'model',
  'parties',
  'salt',
  'minOverlap',
  'waitForParticipantsSeconds',
  'timeoutSeconds',
  'submission',
];

/** The parties of a score job: their columns are their models' features, so a column list is refused. */
function scoringParties(v: unknown): VerticalParty[] {
  const parties = partiesOf(v, true);
  parties.forEach((p, i) => {
    if (p.features !== undefined || p.exclude.length > 0)
      throw new JobSpecError(
        `parties[${i}].${p.features !== undefined ? 'features' : 'exclude'}`,
        "a score job reads the features each party's part of the model was trained on; leave the column lists out",
      );
  });
  return parties;
}

/** Validates a vertical score spec and fills defaults; throws JobSpecError naming the first bad field. */
export function parseVerticalScoreSpec(input: unknown): VerticalScoreSpec {
  if (!isObj(input))
    throw new JobSpecError(
      '(root)',
      `a vertical score spec is an object with name, kind, model and parties, got ${show(input)}`,
    );
  noUnknownKeys(input, FIELDS, '');
  parseSubmission(input.submission);
  if (input.kind !== 'vertical-score')
    throw new JobSpecError('kind', `must be "vertical-score", got ${show(input.kind)}`);
  const model = str(input, 'model', '');
  if (model === '') throw new JobSpecError('model', 'must name the completed vertical job whose model scores');
  const salt = saltOf(input.salt);
  const positive = (k: string, d: number) => num(input, k, '', d, { exclusiveMin: 0, max: MAX_TIMEOUT_SECONDS });
  return {
    name: str(input, 'name', '', `score with ${model}`),
    kind: 'vertical-score',
    model,
    parties: scoringParties(input.parties),
    ...(salt !== undefined ? { salt } : {}),
    minOverlap: num(input, 'minOverlap', '', 1, { int: true, min: 1 }),
    waitForParticipantsSeconds: positive('waitForParticipantsSeconds', 120),
    timeoutSeconds: positive('timeoutSeconds', 3600),
  };
}
