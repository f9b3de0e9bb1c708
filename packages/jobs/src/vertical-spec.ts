// The `vertical` job spec: parties hold different columns of the same customers (a guest with the label,
// hosts with other features). Parsing and validation only; no coordinator runs a vertical job yet.
import { isObj, JobSpecError, noUnknownKeys, num, show, str, strings } from './job-spec-fields.js';
import { cappedNum } from './spec-caps.js';
import { parseSubmission } from './submission.js';

export type VerticalRole = 'guest' | 'host';

/** One party of a vertical job: which participant, which of its data sets, and how its rows are keyed. */
export interface VerticalParty {
  participant: string;
  /** The logical data set the participant maps to a local CSV file or SQLite table. */
  dataset: string;
  /** The column of customer identifiers aligned by private set intersection (e.g. a phone number). */
  idColumn: string;
  /** The guest holds the label (and some features); a host holds other features only. */
  role: VerticalRole;
  /** The guest's label column; a host has none. */
  label?: string;
  /** Use only these of the party's columns (absent: every column but the id, the label and `exclude`). */
  features?: string[];
  /** Never use these columns. */
  exclude: string[];
}

export interface VerticalLogisticSection {
  kind: 'vertical-logistic';
  epochs: number;
  /** Rows per step; the protocol also needs at least 2 x the widest party's feature count (checked when it runs). */
  batchSize: number;
  learningRate: number;
  /** Coefficient of (l2/2)·||weights||². */
  l2: number;
}

export interface SecureBoostSection {
  kind: 'secureboost';
  trees: number;
  /** Maximum tree depth, 1 to 8. */
  depth: number;
  /** Shrinkage of every leaf weight. */
  learningRate: number;
  /** Quantile bins per feature, 2 to 32 (the encrypted bin sums pack 32 bins per feature). */
  bins: number;
  /** Smallest hessian sum allowed in a child. */
  minChildWeight: number;
  /** L2 penalty on leaf weights (XGBoost's lambda). */
  lambda: number;
}

export type VerticalModelSection = VerticalLogisticSection | SecureBoostSection;
export type VerticalModelKind = VerticalModelSection['kind'];

/** The homomorphic scheme of a vertical job; BFV is the only one for now (the field is reserved). */
export interface VerticalSecureSection {
  scheme: 'bfv';
}

/**
 * A vertical job: exactly one guest (with the label) and at least one host, distinct participants, whose
 * shared customers are found by ECDH-PSI over salted identifiers and who then train `model` together.
 */
export interface VerticalSpec {
  name: string;
  kind: 'vertical';
  parties: VerticalParty[];
  /**
   * The salt hashed into every identifier before alignment. Absent: the coordinator draws a fresh random salt
   * per job (node:crypto) and sends it to the parties, so no two jobs align the same hashes.
   */
  salt?: string;
  /** The job is refused when the parties share fewer identifiers than this. */
  minOverlap: number;
  model: VerticalModelSection;
  secure: VerticalSecureSection;
  /** Makes initialisation, batching and binning reproducible (absent: the job id). */
  seed?: string;
  /**
   * The fraction of the shared customers held out (by a public split of the agreed order) to measure the joint
   * model; the guest reports AUC, accuracy and log loss on them. Default 0.2, at most 0.5.
   */
  testFraction: number;
  /** How long the coordinator waits for both parties to connect serving their data sets. Default 120. */
  waitForParticipantsSeconds: number;
  /** How long the whole run (alignment, training, evaluation) may take. Default 3600. */
  timeoutSeconds: number;
}

/** The defaults a vertical spec's omitted fields take. */
export const VERTICAL_SPEC_DEFAULTS = {
  minOverlap: 100,
  testFraction: 0.2,
  waitForParticipantsSeconds: 120,
  timeoutSeconds: 3600,
  verticalLogistic: { epochs: 5, batchSize: 1024, learningRate: 0.5, l2: 0 },
  secureboost: { trees: 10, depth: 3, learningRate: 0.3, bins: 32, minChildWeight: 1, lambda: 1 },
  secure: { scheme: 'bfv' },
} as const;

/** The longest wait or run a vertical spec may ask for: a week (timers cannot exceed 24.8 days). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** Bounds of the SecureBoost fields with a range. */
export const SECUREBOOST_LIMITS = { maxTrees: 10_000, maxDepth: 8, minBins: 2, maxBins: 32 } as const;

const TOP_LEVEL = [
  'name',
  'kind',
  'parties',
  'salt',
  'minOverlap',
  'testFraction',
  'waitForParticipantsSeconds',
  'timeoutSeconds',
  'model',
  'secure',
  'seed',
  'submission',
];
const PARTY_FIELDS = ['participant', 'dataset', 'idColumn', 'role', 'label', 'features', 'exclude'];
const MODEL_FIELDS: Record<VerticalModelKind, readonly string[]> = {
  'vertical-logistic': ['kind', 'epochs', 'batchSize', 'learningRate', 'l2'],
  secureboost: ['kind', 'trees', 'depth', 'learningRate', 'bins', 'minChildWeight', 'lambda'],
};
const MODEL_KINDS = Object.keys(MODEL_FIELDS) as VerticalModelKind[];

/** Validates a vertical job spec, fills defaults, and throws JobSpecError naming the first bad field. */
export function parseVerticalSpec(input: unknown): VerticalSpec {
  if (!isObj(input))
    throw new JobSpecError(
      '(root)',
      `a vertical job spec is an object with name, kind, parties and model, got ${show(input)}`,
    );
  noUnknownKeys(input, TOP_LEVEL, '');
  parseSubmission(input.submission);
  const name = str(input, 'name', '');
  if (input.kind !== 'vertical') throw new JobSpecError('kind', `must be "vertical", got ${show(input.kind)}`);
  const parties = partiesOf(input.parties);
  const salt = saltOf(input.salt);
  const seed = input.seed;
  if (seed !== undefined && typeof seed !== 'string' && typeof seed !== 'number')
    throw new JobSpecError('seed', `must be a string or number, got ${show(seed)}`);
  return {
    name,
    kind: 'vertical',
    parties,
    ...(salt !== undefined ? { salt } : {}),
    minOverlap: num(input, 'minOverlap', '', VERTICAL_SPEC_DEFAULTS.minOverlap, { int: true, min: 1 }),
    model: modelOf(input.model),
    secure: secureOf(input.secure),
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    testFraction: num(input, 'testFraction', '', VERTICAL_SPEC_DEFAULTS.testFraction, { exclusiveMin: 0, max: 0.5 }),
    waitForParticipantsSeconds: num(
      input,
      'waitForParticipantsSeconds',
      '',
      VERTICAL_SPEC_DEFAULTS.waitForParticipantsSeconds,
      { exclusiveMin: 0, max: MAX_TIMEOUT_SECONDS },
    ),
    timeoutSeconds: num(input, 'timeoutSeconds', '', VERTICAL_SPEC_DEFAULTS.timeoutSeconds, {
      exclusiveMin: 0,
      max: MAX_TIMEOUT_SECONDS,
    }),
  };
}

/** A spec's optional salt: a non-empty string, or absent (the coordinator draws a fresh one per job anyway). */
export function saltOf(salt: unknown): string | undefined {
  if (salt !== undefined && (typeof salt !== 'string' || salt === ''))
    throw new JobSpecError(
      'salt',
      `must be a non-empty string, or absent for a fresh salt drawn by the coordinator, got ${show(salt)}`,
    );
  return salt;
}

/** The parties of a vertical spec; `scoring`: a score job's, whose guest reads no label. */
export function partiesOf(v: unknown, scoring = false): VerticalParty[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new JobSpecError(
      'parties',
      'must list the guest and at least one host, e.g. [{participant: bank, dataset: loans, idColumn: phone, ' +
        'role: guest, label: defaulted}, {participant: shop, dataset: orders, idColumn: phone, role: host}], ' +
        `got ${show(v)}`,
    );
  const parties = v.map((p, i) => partyOf(p, `parties[${i}]`, scoring));
  const guests = parties.filter((p) => p.role === 'guest').length;
  if (guests !== 1)
    throw new JobSpecError(
      'parties',
      `must have exactly one party with role guest (the one holding the label), got ${guests}`,
    );
  if (parties.length < 2)
    throw new JobSpecError('parties', 'has no host: add at least one party with role host (holding other features)');
  parties.forEach((p, i) => {
    const first = parties.findIndex((q) => q.participant === p.participant);
    if (first !== i)
      throw new JobSpecError(
        `parties[${i}].participant`,
        `${show(p.participant)} is already parties[${first}]; each participant takes one role in a vertical job`,
      );
  });
  return parties;
}

function partyOf(v: unknown, at: string, scoring: boolean): VerticalParty {
  if (!isObj(v)) throw new JobSpecError(at, `must be an object with fields ${PARTY_FIELDS.join(', ')}, got ${show(v)}`);
  noUnknownKeys(v, PARTY_FIELDS, at);
  const path = `${at}.`;
  const participant = str(v, 'participant', path);
  const dataset = str(v, 'dataset', path);
  const idColumn = str(v, 'idColumn', path);
  const role = str(v, 'role', path);
  if (role !== 'guest' && role !== 'host')
    throw new JobSpecError(
      `${path}role`,
      `must be "guest" (holds the label) or "host" (holds other features), got ${show(role)}`,
    );
  let label: string | undefined;
  if (role === 'guest' && scoring && v.label !== undefined)
    throw new JobSpecError(`${path}label`, 'a score job reads no label (it scores customers whose outcome is unknown)');
  if (role === 'guest' && !scoring) label = str(v, 'label', path);
  else if (role === 'host' && v.label !== undefined)
    throw new JobSpecError(
      `${path}label`,
      `a host holds no label; move the label to the guest's party or make ${show(participant)} the guest`,
    );
  const features = distinct(strings(v, 'features', path), `${path}features`);
  const exclude = distinct(strings(v, 'exclude', path), `${path}exclude`) ?? [];
  if (features?.length === 0)
    throw new JobSpecError(`${path}features`, 'is empty; list at least one column, or omit it to use every column');
  for (const [field, list] of [
    ['features', features],
    ['exclude', exclude],
  ] as const) {
    if (list?.includes(idColumn))
      throw new JobSpecError(
        `${path}${field}`,
        `lists the id column ${show(idColumn)}; an identifier is not a feature`,
      );
    if (label !== undefined && list?.includes(label))
      throw new JobSpecError(`${path}${field}`, `lists the label column ${show(label)}; the label is not a feature`);
  }
  if (label === idColumn)
    throw new JobSpecError(`${path}label`, `is the id column ${show(idColumn)}; name the label column`);
  const clash = features?.find((f) => exclude.includes(f));
  if (clash !== undefined)
    throw new JobSpecError(`${path}exclude`, `lists ${show(clash)}, which features also lists; keep it in one`);
  return {
    participant,
    dataset,
    idColumn,
    role,
    ...(label !== undefined ? { label } : {}),
    ...(features ? { features } : {}),
    exclude,
  };
}

function distinct(list: string[] | undefined, field: string): string[] | undefined {
  const dup = list?.find((x, i) => list.indexOf(x) !== i);
  if (dup !== undefined) throw new JobSpecError(field, `lists ${show(dup)} twice; list each column once`);
  return list ? [...list] : undefined;
}

function modelOf(v: unknown): VerticalModelSection {
  if (!isObj(v))
    throw new JobSpecError(
      'model',
      `is required: an object such as {kind: secureboost, trees: 10} (kinds: ${MODEL_KINDS.join(', ')}), ` +
        `got ${show(v)}`,
    );
  const kind = str(v, 'kind', 'model.') as VerticalModelKind;
  if (!MODEL_KINDS.includes(kind))
    throw new JobSpecError('model.kind', `must be one of ${MODEL_KINDS.join(', ')}, got ${show(kind)}`);
  const other = MODEL_KINDS.find((k) => k !== kind)!;
  for (const k of Object.keys(v))
    if (!MODEL_FIELDS[kind].includes(k) && MODEL_FIELDS[other].includes(k))
      throw new JobSpecError(`model.${k}`, `applies to kind ${other} only, not ${kind}`);
  noUnknownKeys(v, MODEL_FIELDS[kind], 'model');
  const p = 'model.';
  if (kind === 'vertical-logistic') {
    const d = VERTICAL_SPEC_DEFAULTS.verticalLogistic;
    return {
      kind,
      epochs: cappedNum(v, 'epochs', p, d.epochs, 'epochs', { int: true, min: 1 }),
      batchSize: num(v, 'batchSize', p, d.batchSize, { int: true, min: 2 }),
      learningRate: num(v, 'learningRate', p, d.learningRate, { exclusiveMin: 0 }),
      l2: num(v, 'l2', p, d.l2, { min: 0 }),
    };
  }
  const d = VERTICAL_SPEC_DEFAULTS.secureboost;
  const l = SECUREBOOST_LIMITS;
  return {
    kind,
    trees: num(v, 'trees', p, d.trees, { int: true, min: 1, max: l.maxTrees }),
    depth: num(v, 'depth', p, d.depth, { int: true, min: 1, max: l.maxDepth }),
    learningRate: num(v, 'learningRate', p, d.learningRate, { exclusiveMin: 0 }),
    bins: num(v, 'bins', p, d.bins, { int: true, min: l.minBins, max: l.maxBins }),
    minChildWeight: num(v, 'minChildWeight', p, d.minChildWeight, { min: 0 }),
    lambda: num(v, 'lambda', p, d.lambda, { min: 0 }),
  };
}

function secureOf(v: unknown): VerticalSecureSection {
  if (v === undefined) return { ...VERTICAL_SPEC_DEFAULTS.secure };
  if (!isObj(v)) throw new JobSpecError('secure', `must be an object such as {scheme: bfv}, got ${show(v)}`);
  noUnknownKeys(v, ['scheme'], 'secure');
  const scheme = str(v, 'scheme', 'secure.', 'bfv');
  if (scheme !== 'bfv')
    throw new JobSpecError(
      'secure.scheme',
      `must be "bfv" (the only scheme vertical jobs use for now), got ${show(scheme)}`,
    );
  return { scheme };
}
