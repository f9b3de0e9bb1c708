import { parseSubmission } from './submission.js';
import { needsValidation } from './payout-spec.js';
import { isObj, JobSpecError, noUnknownKeys, num, section, show, str, strings, type Obj } from './job-spec-fields.js';
import { payoutOf } from './job-spec-payout.js';
import { checkPrivacyFields, noSplitUnderPrivacy, privacyHead, privacyOf } from './job-spec-privacy.js';
import { JOB_SPEC_DEFAULTS, type JobSpec } from './job-spec-types.js';
import { cappedNum } from './spec-caps.js';
import { modelSectionOf } from './job-spec-model.js';
import { earlyStoppingOf, localSectionOf, strategySectionOf } from './job-spec-training.js';

// A training job spec is parsed here section by section; the sections with rules of their own live
// beside this file (job-spec-privacy.ts, job-spec-payout.ts). These re-exports keep './job-spec.js'
// the one import for a job spec's types and helpers.
export { JobSpecError } from './job-spec-fields.js';
export {
  accountingSampleRate,
  participantSampling,
  PRIVATE_STATISTICS_RELEASES,
} from './job-spec-privacy.js';
export {
  JOB_SPEC_DEFAULTS,
  type AdaptiveClipSpec,
  type JobSpec,
  type PrivacySpec,
  type SecureSpec,
} from './job-spec-types.js';

const TOP_LEVEL = [
  'name',
  'kind',
  'dataset',
  'label',
  'features',
  'exclude',
  'model',
  'rounds',
  'local',
  'strategy',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'maxRoundAttempts',
  'validationFraction',
  'seed',
  'secure',
  'privacy',
  'payout',
  'domains',
  'earlyStopping',
  'submission',
] as const;

/** Validates a parsed spec, fills defaults, and throws JobSpecError naming the first bad field. */
export function parseJobSpec(input: unknown): JobSpec {
  if (!isObj(input))
    throw new JobSpecError('(root)', `a job spec is an object with at least "dataset" and "label", got ${show(input)}`);
  noUnknownKeys(input, TOP_LEVEL, '');
  parseSubmission(input.submission);
  const d = JOB_SPEC_DEFAULTS;
  const kind = str(input, 'kind', '', d.kind);
  if (kind !== 'train') throw new JobSpecError('kind', `must be "train", got ${show(kind)}`);
  const model = modelSectionOf(input);
  const { local, ...localRest } = localSectionOf(input, d.local);
  const strategy = strategySectionOf(input, d.strategy);
  const seed = input.seed;
  if (seed !== undefined && typeof seed !== 'string' && typeof seed !== 'number')
    throw new JobSpecError('seed', `must be a string or number, got ${show(seed)}`);
  const features = strings(input, 'features', '');
  const secure = section(input, 'secure', ['mode', 'bits', 'clip', 'dropoutRate', 'corruptFraction']);
  const secureMode = str(secure, 'mode', 'secure.', d.secure.mode);
  if (secureMode !== 'masked' && secureMode !== 'sealed' && secureMode !== 'none') {
    throw new JobSpecError(
      'secure.mode',
      `must be "masked" (SecAgg+, the default), "sealed" (SecAgg+ under the analyst's homomorphic key: ` +
        `only the analyst reads aggregates) or "none" (plaintext aggregation), got ${show(secureMode)}`,
    );
  }
  const privacyRead = privacyHead(input, secureMode);
  const { unit } = privacyRead;
  const spec: JobSpec = {
    name: str(input, 'name', '', `${String(input.dataset ?? 'job')}-${String(input.label ?? 'model')}`),
    kind: 'train',
    dataset: str(input, 'dataset', ''),
    label: str(input, 'label', ''),
    ...(features ? { features } : {}),
    exclude: strings(input, 'exclude', '') ?? [],
    model,
    rounds: cappedNum(input, 'rounds', '', d.rounds, 'rounds', { int: true, min: 1 }),
    local: {
      epochs: cappedNum(local, 'epochs', 'local.', d.local.epochs, 'epochs', { int: true, min: 1 }),
      batchSize: num(local, 'batchSize', 'local.', d.local.batchSize, { int: true, min: 1 }),
      ...localRest,
    },
    strategy,
    minParticipants: num(input, 'minParticipants', '', d.minParticipants, { int: true, min: 1 }),
    roundTimeoutSeconds: num(input, 'roundTimeoutSeconds', '', d.roundTimeoutSeconds, { exclusiveMin: 0 }),
    waitForParticipantsSeconds: num(input, 'waitForParticipantsSeconds', '', d.waitForParticipantsSeconds, { min: 0 }),
    maxRoundAttempts: cappedNum(input, 'maxRoundAttempts', '', d.maxRoundAttempts, 'maxRoundAttempts', {
      int: true,
      min: 1,
    }),
    validationFraction: num(input, 'validationFraction', '', d.validationFraction, { min: 0, max: 0.9 }),
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    secure: {
      mode: secureMode,
      bits: num(secure, 'bits', 'secure.', d.secure.bits, { int: true, min: 2, max: 31 }),
      clip: num(secure, 'clip', 'secure.', d.secure.clip, { exclusiveMin: 0 }),
      dropoutRate: num(secure, 'dropoutRate', 'secure.', d.secure.dropoutRate, { min: 0, max: 0.9 }),
      corruptFraction: num(secure, 'corruptFraction', 'secure.', d.secure.corruptFraction, { min: 0, max: 0.5 }),
    },
    privacy: privacyOf(privacyRead),
  };
  const earlyStopping = earlyStoppingOf(input);
  if (earlyStopping) spec.earlyStopping = earlyStopping;
  const domains = domainsOf(input);
  if (domains) spec.domains = domains;
  checkPrivacyFields(privacyRead.privacy, spec);
  noSplitUnderPrivacy(input, spec);
  spec.privacy.clip = privacyRead.clip ?? (unit === 'record' ? d.privacy.recordClip : spec.secure.clip);
  if (input.payout !== undefined) spec.payout = payoutOf(input, spec);
  if (spec.earlyStopping && (spec.privacy.mode !== 'none' || spec.secure.mode === 'sealed'))
    throw new JobSpecError(
      'earlyStopping',
      spec.privacy.mode !== 'none'
        ? 'needs privacy mode none: under differential privacy no federated validation loss is released'
        : 'needs secure mode masked or none: in sealed mode only the analyst reads the validation loss',
    );
  if (spec.payout && needsValidation(spec.payout.valuation) && spec.model.type !== 'logistic')
    throw new JobSpecError(
      'payout',
      `valuation rebuilds and scores coalition models of kind logistic only; this job trains a ${spec.model.type} ` +
        'model: remove the payout or train kind logistic',
    );
  if (spec.exclude.includes(spec.label))
    throw new JobSpecError('exclude', `lists the label column "${spec.label}"; remove it from exclude`);
  if (spec.features?.includes(spec.label))
    throw new JobSpecError('features', `lists the label column "${spec.label}"; the label is not a feature`);
  return spec;
}

/** `domains: {column: [value, ...]}`: non-empty lists of distinct strings; the label has none. */
function domainsOf(input: Obj): Record<string, string[]> | undefined {
  const v = input.domains;
  if (v === undefined) return undefined;
  if (!isObj(v))
    throw new JobSpecError(
      'domains',
      `must map text columns to the list of their values, e.g. {region: [north, south]}, got ${show(v)}`,
    );
  const out: Record<string, string[]> = {};
  for (const [column, values] of Object.entries(v)) {
    if (!Array.isArray(values) || values.length === 0 || values.some((x) => typeof x !== 'string' || x === '')) {
      throw new JobSpecError(`domains.${column}`, `must be a non-empty list of values (strings), got ${show(values)}`);
    }
    const dup = values.find((x, i) => values.indexOf(x) !== i);
    if (dup !== undefined)
      throw new JobSpecError(`domains.${column}`, `lists ${show(dup)} twice; list each value once`);
    if (column === input.label)
      throw new JobSpecError(`domains.${column}`, 'is the label column; a domain is for feature columns');
    out[column] = [...(values as string[])];
  }
  return out;
}

/**
 * Context of the analyst's Ed25519 signature over a submitted job spec (SubmitJobRequest.spec_signature,
 * Task.spec_signature).
 */
export const JOB_SPEC_CONTEXT = 'tessera/v1/job-spec';
