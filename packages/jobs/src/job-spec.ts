import { PAYOUT_METHOD_ALIASES, PAYOUT_METHODS, PAYOUT_METRICS, type PayoutSpec } from './payout-spec.js';

/** A training job as analysts write it (YAML or JSON), validated field by field. */
export interface JobSpec {
  name: string;
  kind: 'train';
  /** Logical data set name; each participant maps it to a local source. */
  dataset: string;
  label: string;
  /** Only these columns (default: every column all participants share, except the label and `exclude`). */
  features?: string[];
  exclude: string[];
  model: { type: 'logistic'; l2: number };
  rounds: number;
  local: { epochs: number; batchSize: number; learningRate: number };
  strategy: { name: string; fractionFit: number; serverLearningRate: number };
  /** A round completes only if at least this many participants contribute (the threshold). */
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
  maxRoundAttempts: number;
  /** Share of each participant's rows kept aside for federated evaluation. */
  validationFraction: number;
  seed?: string;
  /** How contributions are aggregated: SecAgg+ masking by default, plaintext only when asked. */
  secure: SecureSpec;
  /** Differential privacy of the released model updates (participant level). */
  privacy: PrivacySpec;
  /** Data-trust payout: after training, value each participant's contribution and split the pool. */
  payout?: PayoutSpec;
  /**
   * Public categorical domains by column. Under differential privacy a text column is a feature only
   * with a declared domain: participants report the declared values (never the values that occur),
   * and a value outside the domain encodes as zeros.
   */
  domains?: Record<string, string[]>;
}

export interface PrivacySpec {
  /**
   * none; distributed: each participant adds a share of integer noise before masking; central: the
   * coordinator adds it to the unmasked sum; local: each participant adds the whole noise itself, so its
   * own contribution is private without trusting the others or the coordinator.
   */
  mode: 'none' | 'distributed' | 'central' | 'local';
  /** participant: one merchant's whole update is protected (DP-FedAvg); record: one customer row (DP-FedSGD). */
  unit: 'participant' | 'record';
  epsilon: number;
  delta: number;
  /**
   * L2 clipping bound: of each record's gradient (unit record, default 1) or of each participant's update (unit
   * participant, default secure.clip).
   */
  clip: number;
  /**
   * Rows a participant contributes at most to a private statistics release (more are subsampled); sizes the fixed-point
   * scale.
   */
  maxRecords: number;
  /** Unit participant: adapt the clip each round to a quantile of the update norms (Andrew et al. 2021), privately. */
  adaptiveClip?: AdaptiveClipSpec;
  /**
   * Distributed mode: a round releases only with at least this many survivors, and each noise share
   * is sized so that m survivors less the tolerated colluders carry the full noise (default: the
   * cohort less its expected dropouts at secure.dropoutRate).
   */
  survivorFloor?: number;
}

export interface AdaptiveClipSpec {
  /** Fraction of participants' updates to leave unclipped (the quantile the clip tracks). */
  targetQuantile: number;
  /** Step size of the geometric clip update. */
  learningRate: number;
  /**
   * Noise standard deviation on the count of unclipped updates (default: the larger of participants/20 and the noise
   * multiplier).
   */
  bitNoiseStd?: number;
}

export interface SecureSpec {
  /**
   * masked: SecAgg+; sealed: SecAgg+ under the analyst's BFV key, so only the analyst reads aggregates; none:
   * plaintext.
   */
  mode: 'masked' | 'sealed' | 'none';
  /** Bits per coordinate of a quantised model update. */
  bits: number;
  /** L2 clipping bound of each participant's model update. */
  clip: number;
  /** Expected share of participants that drop out of a round (sets the graph and threshold). */
  dropoutRate: number;
  /** Share of participants that may collude with the coordinator (sets the threshold). */
  corruptFraction: number;
}

export class JobSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`job spec: ${field}: ${message}`);
    this.name = 'JobSpecError';
  }
}

export const JOB_SPEC_DEFAULTS = {
  kind: 'train',
  exclude: [] as string[],
  model: { type: 'logistic', l2: 1e-4 },
  rounds: 10,
  local: { epochs: 1, batchSize: 32, learningRate: 0.1 },
  strategy: { name: 'fedavg', fractionFit: 1, serverLearningRate: 1 },
  minParticipants: 2,
  roundTimeoutSeconds: 120,
  waitForParticipantsSeconds: 120,
  maxRoundAttempts: 3,
  validationFraction: 0.2,
  secure: { mode: 'masked', bits: 20, clip: 10, dropoutRate: 0.1, corruptFraction: 0.1 },
  privacy: { mode: 'none', unit: 'participant', epsilon: 4, delta: 1e-5, recordClip: 1, maxRecords: 100_000 },
} as const;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function closest(word: string, options: readonly string[]): string | undefined {
  // Levenshtein distance over one rolling row: prev[j] is the distance between a[0..i-1] and b[0..j].
  // Every j below lies in 0..b.length, the row's length minus one.
  const dist = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length]!;
  };
  const best = options
    .map((o) => [o, dist(word.toLowerCase(), o.toLowerCase())] as const)
    .sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

function noUnknownKeys(o: Obj, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      const hint = closest(k, allowed);
      throw new JobSpecError(
        path ? `${path}.${k}` : k,
        `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}; known fields: ${allowed.join(', ')}`,
      );
    }
  }
}

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

function str(o: Obj, key: string, path: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new JobSpecError(path + key, 'is required');
  }
  if (typeof v !== 'string' || v.trim() === '')
    throw new JobSpecError(path + key, `must be a non-empty string, got ${show(v)}`);
  return v;
}

function num(
  o: Obj,
  key: string,
  path: string,
  fallback: number,
  check: { int?: boolean; min?: number; max?: number; exclusiveMin?: number },
): number {
  const v = o[key] === undefined ? fallback : o[key];
  const what = check.int ? 'an integer' : 'a number';
  if (typeof v !== 'number' || !Number.isFinite(v) || (check.int && !Number.isInteger(v))) {
    throw new JobSpecError(path + key, `must be ${what}, got ${show(v)}`);
  }
  if (check.min !== undefined && v < check.min)
    throw new JobSpecError(path + key, `must be at least ${check.min}, got ${v}`);
  if (check.exclusiveMin !== undefined && v <= check.exclusiveMin)
    throw new JobSpecError(path + key, `must be greater than ${check.exclusiveMin}, got ${v}`);
  if (check.max !== undefined && v > check.max)
    throw new JobSpecError(path + key, `must be at most ${check.max}, got ${v}`);
  return v;
}

function strings(o: Obj, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
    throw new JobSpecError(path + key, `must be a list of column names, got ${show(v)}`);
  }
  return v as string[];
}

function section(o: Obj, key: string, allowed: readonly string[]): Obj {
  const v = o[key];
  if (v === undefined) return {};
  if (!isObj(v)) throw new JobSpecError(key, `must be an object with fields ${allowed.join(', ')}, got ${show(v)}`);
  noUnknownKeys(v, allowed, key);
  return v;
}

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
] as const;

/** Validates a parsed spec, fills defaults, and throws JobSpecError naming the first bad field. */
export function parseJobSpec(input: unknown): JobSpec {
  if (!isObj(input))
    throw new JobSpecError('(root)', `a job spec is an object with at least "dataset" and "label", got ${show(input)}`);
  noUnknownKeys(input, TOP_LEVEL, '');
  const d = JOB_SPEC_DEFAULTS;
  const kind = str(input, 'kind', '', d.kind);
  if (kind !== 'train') throw new JobSpecError('kind', `must be "train", got ${show(kind)}`);
  const model = section(input, 'model', ['type', 'l2']);
  const modelType = str(model, 'type', 'model.', d.model.type);
  if (modelType !== 'logistic')
    throw new JobSpecError('model.type', `must be "logistic" (binary logistic regression), got ${show(modelType)}`);
  const local = section(input, 'local', ['epochs', 'batchSize', 'learningRate']);
  const strategy = section(input, 'strategy', ['name', 'fractionFit', 'serverLearningRate']);
  const strategyName = str(strategy, 'name', 'strategy.', d.strategy.name).toLowerCase();
  if (strategyName !== 'fedavg')
    throw new JobSpecError('strategy.name', `unknown strategy ${show(strategyName)}; known: fedavg`);
  const seed = input.seed;
  if (seed !== undefined && typeof seed !== 'string' && typeof seed !== 'number')
    throw new JobSpecError('seed', `must be a string or number, got ${show(seed)}`);
  const features = strings(input, 'features', '');
  const secure = section(input, 'secure', ['mode', 'bits', 'clip', 'dropoutRate', 'corruptFraction']);
  const secureMode = str(secure, 'mode', 'secure.', d.secure.mode);
  if (secureMode !== 'masked' && secureMode !== 'sealed' && secureMode !== 'none') {
    throw new JobSpecError(
      'secure.mode',
      `must be "masked" (SecAgg+, the default), "sealed" (SecAgg+ under the analyst's homomorphic key: only the analyst reads aggregates) or "none" (plaintext aggregation), got ${show(secureMode)}`,
    );
  }
  const privacy = section(input, 'privacy', [
    'mode',
    'unit',
    'epsilon',
    'delta',
    'clip',
    'maxRecords',
    'adaptiveClip',
    'survivorFloor',
  ]);
  const privacyMode = str(privacy, 'mode', 'privacy.', d.privacy.mode);
  if (!['none', 'distributed', 'central', 'local'].includes(privacyMode)) {
    throw new JobSpecError(
      'privacy.mode',
      `must be "none", "distributed" (noise shares added by participants before masking), "central" (noise added to the unmasked sum) or "local" (each participant adds the whole noise), got ${show(privacyMode)}`,
    );
  }
  const unit = str(privacy, 'unit', 'privacy.', d.privacy.unit);
  if (unit !== 'participant' && unit !== 'record')
    throw new JobSpecError(
      'privacy.unit',
      `must be "participant" (one merchant's whole contribution) or "record" (one customer row), got ${show(unit)}`,
    );
  const privacyClip = privacy.clip === undefined ? undefined : num(privacy, 'clip', 'privacy.', 0, { exclusiveMin: 0 });
  if (secureMode === 'sealed' && privacyMode !== 'none') {
    throw new JobSpecError(
      'privacy.mode',
      'differential privacy is not available with secure.mode sealed yet (its private statistics need the coordinator to read a noisy histogram); use secure.mode masked, or privacy.mode none',
    );
  }
  if (privacyMode !== 'none' && secureMode === 'none') {
    throw new JobSpecError(
      'privacy.mode',
      `${privacyMode} differential privacy adds integer noise inside secure aggregation; set secure.mode to "masked" (or privacy.mode to "none")`,
    );
  }
  const spec: JobSpec = {
    name: str(input, 'name', '', `${String(input.dataset ?? 'job')}-${String(input.label ?? 'model')}`),
    kind: 'train',
    dataset: str(input, 'dataset', ''),
    label: str(input, 'label', ''),
    ...(features ? { features } : {}),
    exclude: strings(input, 'exclude', '') ?? [],
    model: { type: 'logistic', l2: num(model, 'l2', 'model.', d.model.l2, { min: 0 }) },
    rounds: num(input, 'rounds', '', d.rounds, { int: true, min: 1, max: 100_000 }),
    local: {
      epochs: num(local, 'epochs', 'local.', d.local.epochs, { int: true, min: 1, max: 10_000 }),
      batchSize: num(local, 'batchSize', 'local.', d.local.batchSize, { int: true, min: 1 }),
      learningRate: num(local, 'learningRate', 'local.', d.local.learningRate, { exclusiveMin: 0 }),
    },
    strategy: {
      name: strategyName,
      fractionFit: num(strategy, 'fractionFit', 'strategy.', d.strategy.fractionFit, { exclusiveMin: 0, max: 1 }),
      serverLearningRate: num(strategy, 'serverLearningRate', 'strategy.', d.strategy.serverLearningRate, {
        exclusiveMin: 0,
      }),
    },
    minParticipants: num(input, 'minParticipants', '', d.minParticipants, { int: true, min: 1 }),
    roundTimeoutSeconds: num(input, 'roundTimeoutSeconds', '', d.roundTimeoutSeconds, { exclusiveMin: 0 }),
    waitForParticipantsSeconds: num(input, 'waitForParticipantsSeconds', '', d.waitForParticipantsSeconds, { min: 0 }),
    maxRoundAttempts: num(input, 'maxRoundAttempts', '', d.maxRoundAttempts, { int: true, min: 1 }),
    validationFraction: num(input, 'validationFraction', '', d.validationFraction, { min: 0, max: 0.9 }),
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    secure: {
      mode: secureMode,
      bits: num(secure, 'bits', 'secure.', d.secure.bits, { int: true, min: 2, max: 31 }),
      clip: num(secure, 'clip', 'secure.', d.secure.clip, { exclusiveMin: 0 }),
      dropoutRate: num(secure, 'dropoutRate', 'secure.', d.secure.dropoutRate, { min: 0, max: 0.9 }),
      corruptFraction: num(secure, 'corruptFraction', 'secure.', d.secure.corruptFraction, { min: 0, max: 0.5 }),
    },
    privacy: {
      mode: privacyMode as PrivacySpec['mode'],
      unit,
      epsilon: num(privacy, 'epsilon', 'privacy.', d.privacy.epsilon, { exclusiveMin: 0 }),
      delta: num(privacy, 'delta', 'privacy.', d.privacy.delta, { exclusiveMin: 0, max: 0.999999 }),
      clip: 0,
      maxRecords: num(privacy, 'maxRecords', 'privacy.', d.privacy.maxRecords, { int: true, min: 1, max: 10_000_000 }),
      ...adaptiveClipOf(privacy, unit),
      ...(privacy.survivorFloor !== undefined
        ? { survivorFloor: num(privacy, 'survivorFloor', 'privacy.', 0, { int: true, min: 2 }) }
        : {}),
    },
  };
  const domains = domainsOf(input);
  if (domains) spec.domains = domains;
  checkPrivacyFields(privacy, spec);
  noSplitUnderPrivacy(input, spec);
  spec.privacy.clip = privacyClip ?? (unit === 'record' ? d.privacy.recordClip : spec.secure.clip);
  if (input.payout !== undefined) spec.payout = payoutOf(input, spec);
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
 * Refuses privacy fields that contradict each other, naming the field. (Fields a normalised spec
 * always carries, such as unit and epsilon with mode none, are not contradictions: they are unused.)
 */
function checkPrivacyFields(_given: Obj, spec: JobSpec): void {
  const p = spec.privacy;
  if (p.survivorFloor !== undefined) {
    if (p.mode !== 'distributed')
      throw new JobSpecError(
        'privacy.survivorFloor',
        `sizes the noise shares of distributed mode; privacy.mode is ${p.mode}: remove it or use distributed`,
      );
  }
}

/**
 * Under differential privacy every row of a participant trains and no federated evaluation runs:
 * a validation split would be chosen by a seed the coordinator knows, so which rows are summed
 * would depend on it (issue 12). An explicit validationFraction is refused; the default becomes 0.
 */
function noSplitUnderPrivacy(input: Obj, spec: JobSpec): void {
  if (spec.privacy.mode === 'none') return;
  if (input.validationFraction !== undefined && spec.validationFraction > 0) {
    throw new JobSpecError(
      'validationFraction',
      `is ${spec.validationFraction}, but under differential privacy every row trains and no federated evaluation runs (a split chosen by a seed the coordinator knows would break the guarantee); remove it or set it to 0`,
    );
  }
  spec.validationFraction = 0;
}

function adaptiveClipOf(privacy: Obj, unit: string): { adaptiveClip?: AdaptiveClipSpec } {
  const v = privacy.adaptiveClip;
  if (v === undefined || v === false) return {};
  const a: Obj =
    v === true
      ? {}
      : isObj(v)
        ? v
        : (() => {
            throw new JobSpecError(
              'privacy.adaptiveClip',
              `must be true or an object with targetQuantile, learningRate, bitNoiseStd, got ${show(v)}`,
            );
          })();
  noUnknownKeys(a, ['targetQuantile', 'learningRate', 'bitNoiseStd'], 'privacy.adaptiveClip');
  if (unit !== 'participant')
    throw new JobSpecError(
      'privacy.adaptiveClip',
      "adapts the clip of whole participant updates; it needs privacy.unit participant (record-level jobs clip each record's gradient at privacy.clip)",
    );
  const path = 'privacy.adaptiveClip.';
  return {
    adaptiveClip: {
      targetQuantile: num(a, 'targetQuantile', path, 0.5, { min: 0, max: 1 }),
      learningRate: num(a, 'learningRate', path, 0.2, { exclusiveMin: 0 }),
      ...(a.bitNoiseStd !== undefined ? { bitNoiseStd: num(a, 'bitNoiseStd', path, 0, { exclusiveMin: 0 }) } : {}),
    },
  };
}

/**
 * Sampling rate the accountant uses. Amplification by sampling holds only against a party that
 * does not know the sample. The coordinator draws the participants of a round, so in distributed
 * and local modes (which protect against the coordinator) every round counts as if every
 * participant took part: q = 1. Only central mode (which trusts the coordinator) amplifies, with
 * the rate the coordinator really uses, by Poisson sampling from its CSPRNG (participantSampling).
 * Records are never subsampled for amplification: q = 1 for unit record.
 */
export const accountingSampleRate = (spec: JobSpec): number =>
  spec.privacy.unit === 'participant' && spec.privacy.mode === 'central' ? spec.strategy.fractionFit : 1;

/** How a round's participants are drawn, as the job view states it. */
export function participantSampling(spec: JobSpec): 'all' | 'poisson' | 'fixed-size' {
  if (spec.strategy.fractionFit >= 1) return 'all';
  return spec.privacy.mode === 'central' && spec.privacy.unit === 'participant' ? 'poisson' : 'fixed-size';
}

/** Releases of the differentially private statistics stage: the magnitude histogram and the bounded moments. */
export const PRIVATE_STATISTICS_RELEASES = 2;

function payoutOf(input: Obj, spec: JobSpec): PayoutSpec {
  const p = section(input, 'payout', [
    'pool',
    'currency',
    'valuation',
    'metric',
    'validation',
    'seed',
    'maxPermutations',
  ]);
  const pool = p.pool;
  if (typeof pool !== 'number' || !Number.isSafeInteger(pool) || pool < 0) {
    throw new JobSpecError(
      'payout.pool',
      `must be a non-negative integer amount in minor units (e.g. 100000 for 1000.00), got ${show(pool)}`,
    );
  }
  const currency = str(p, 'currency', 'payout.');
  if (!/^[A-Z]{3}$/.test(currency))
    throw new JobSpecError(
      'payout.currency',
      `must be a three-letter ISO 4217 code such as CNY, EUR or USD, got ${show(currency)}`,
    );
  const named = str(p, 'valuation', 'payout.', 'auto');
  const valuation = PAYOUT_METHOD_ALIASES[named] ?? named;
  if (!(PAYOUT_METHODS as readonly string[]).includes(valuation))
    throw new JobSpecError('payout.valuation', `must be one of ${PAYOUT_METHODS.join(', ')}, got ${show(named)}`);
  const metric = str(p, 'metric', 'payout.', 'logLoss');
  if (!(PAYOUT_METRICS as readonly string[]).includes(metric))
    throw new JobSpecError('payout.metric', `must be one of ${PAYOUT_METRICS.join(', ')}, got ${show(metric)}`);
  const v = p.validation;
  if (!isObj(v) || typeof v.csv !== 'string' || !v.csv.trim()) {
    throw new JobSpecError(
      'payout.validation',
      'must be {csv: "<labelled validation rows as CSV text>"} (tessera job submit reads {path: file.csv} for you); coalition utilities are measured on these rows',
    );
  }
  noUnknownKeys(v, ['csv', 'source'], 'payout.validation');
  if (spec.privacy.mode !== 'none') {
    throw new JobSpecError(
      'payout',
      "valuation needs each participant's per-round updates, which differential privacy is there to hide; a job with a payout needs privacy.mode none (see docs/payouts.md)",
    );
  }
  if (spec.secure.mode === 'sealed') {
    throw new JobSpecError(
      'payout',
      'valuation rebuilds coalition models next to the global model, which the coordinator does not see in sealed mode; use secure.mode masked or none for a job with a payout',
    );
  }
  const seed = p.seed;
  if (seed !== undefined && typeof seed !== 'string' && typeof seed !== 'number')
    throw new JobSpecError('payout.seed', `must be a string or number, got ${show(seed)}`);
  return {
    pool,
    currency,
    valuation: valuation as PayoutSpec['valuation'],
    metric: metric as PayoutSpec['metric'],
    validation: { csv: v.csv, source: typeof v.source === 'string' && v.source ? v.source : 'payout.validation.csv' },
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    ...(p.maxPermutations !== undefined
      ? { maxPermutations: num(p, 'maxPermutations', 'payout.', 0, { int: true, min: 1, max: 100_000 }) }
      : {}),
  };
}

/**
 * Context of the analyst's Ed25519 signature over a submitted job spec (SubmitJobRequest.spec_signature,
 * Task.spec_signature).
 */
export const JOB_SPEC_CONTEXT = 'tessera/v1/job-spec';
