// The `recommend` job spec: federated matrix factorisation over the merchants' interactions tables. Parsing only.
import { isObj, JobSpecError, num, type Obj, section, show, str } from './job-spec-fields.js';
import { epsilonDelta, kindSpecRoot, roundFields, secureRates } from './release-spec-fields.js';
import { cappedNum } from './spec-caps.js';

export type RecommendAlgorithmName = 'als' | 'bpr';

/** Which columns of the data set hold the customer, the item and (optionally) the strength and time of a row. */
export interface RecommendColumns {
  customer: string;
  item: string;
  /** Implicit feedback: how many times (summed per customer and item). Absent: every row counts once. */
  count?: string;
  /** Explicit feedback: a rating (the latest per customer and item is its strength). */
  rating?: string;
  /** When it happened: leave-last-out holds out each customer's latest item. Absent: the row order. */
  timestamp?: string;
}

export interface RecommendModelSection {
  algorithm: RecommendAlgorithmName;
  /** Latent factors per customer and item. */
  k: number;
  /** L2 regularisation (ALS: of the normal equations; BPR: of the gradient). */
  lambda: number;
  /** ALS only (absent for BPR): confidence c = 1 + alpha * strength. */
  alpha?: number;
  /** BPR only (absent for ALS): the coordinator's Adagrad step size. */
  itemRate?: number;
}

/** Customer-level differential privacy: each customer's part of a merchant's item update is clipped to `clip`. */
export interface RecommendPrivacy {
  mode: 'none' | 'distributed';
  epsilon: number;
  delta: number;
  /** The per-customer L2 bound on the item update (the sensitivity of one round's sum). */
  clip: number;
  /**
   * The most customers a participant contributes (the fixed-point encoding leaves room for this many clipped
   * contributions per participant); a node with more refuses rather than overflow the ring.
   */
  maxCustomers: number;
}

/**
 * A recommend job: every participant serving `dataset` keeps its customers' factors; the item factors are learned
 * from the secure sum of the merchants' item updates, one per round.
 */
export interface RecommendJobSpec {
  name: string;
  kind: 'recommend';
  dataset: string;
  columns: RecommendColumns;
  /** The declared, public item catalogue (the platform's product ids), in the model's item order. */
  catalogue: { items: string[] };
  /** A row whose item is outside the catalogue: refuse the task (default) or skip the row. */
  unknownItems: 'refuse' | 'skip';
  model: RecommendModelSection;
  rounds: number;
  /** Leave-last-out: hold out each customer's latest item and report HR@10 and NDCG@10 on them ("none": no). */
  evaluation: { holdOut: 'last' | 'none' };
  /** Seeds the public item initialisation (absent: the job's name). */
  seed?: string;
  privacy: RecommendPrivacy;
  secure: { mode: 'masked' | 'sealed'; dropoutRate: number; corruptFraction: number };
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
}

/** The defaults of a recommend spec's omitted fields. */
export const RECOMMEND_SPEC_DEFAULTS = {
  columns: { customer: 'customer_id', item: 'item_id' },
  k: 8,
  als: { lambda: 1, alpha: 10, rounds: 10 },
  bpr: { lambda: 0.01, itemRate: 0.05, rounds: 100 },
  privacy: { epsilon: 8, delta: 1e-6, clip: 1, maxCustomers: 100_000 },
  /**
   * Under customer-level DP (privacy.mode distributed) the omitted fields default to what measured best at epsilon 8
   * on the synthetic federation (docs/recommend.md): a small clip, and for ALS a lambda well above the noise so the
   * summed normal equations stay positive definite, and fewer rounds (each is a release).
   */
  private: {
    als: { lambda: 3, rounds: 5, clip: 0.05 },
    bpr: { lambda: 0.01, rounds: 50, clip: 0.1, itemRate: 0.5 },
  },
  minParticipants: 2,
  roundTimeoutSeconds: 300,
  waitForParticipantsSeconds: 120,
} as const;

/** Bounds of a recommend spec: the catalogue's length and the factor count size every vector the job sums. */
export const RECOMMEND_LIMITS = { maxItems: 1_000_000, maxK: 256, maxUpdateLength: 1 << 24 } as const;

const TOP_LEVEL = [
  'name',
  'kind',
  'dataset',
  'columns',
  'catalogue',
  'unknownItems',
  'model',
  'rounds',
  'evaluation',
  'seed',
  'privacy',
  'secure',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'submission',
];
const COLUMN_FIELDS = ['customer', 'item', 'count', 'rating', 'timestamp'];
const MODEL_FIELDS = ['algorithm', 'k', 'lambda', 'alpha', 'itemRate'];
const PRIVACY_FIELDS = ['mode', 'epsilon', 'delta', 'clip', 'maxCustomers'];
const SECURE_FIELDS = ['mode', 'dropoutRate', 'corruptFraction'];

/** Is this spec a recommend job's? */
export const isRecommendSpec = (spec: unknown): boolean => isObj(spec) && spec.kind === 'recommend';

/** Validates a recommend job spec, fills defaults, and throws JobSpecError naming the first bad field. */
export function parseRecommendSpec(spec: unknown): RecommendJobSpec {
  const input = kindSpecRoot(spec, 'recommend', TOP_LEVEL);
  const privateJob = isObj(input.privacy) && input.privacy.mode === 'distributed';
  const model = modelOf(input, privateJob);
  const catalogue = catalogueOf(input);
  const length = recommendUpdateLength(model.algorithm, catalogue.items.length, model.k);
  if (length > RECOMMEND_LIMITS.maxUpdateLength)
    throw new JobSpecError(
      'model.k',
      `${catalogue.items.length} items with k = ${model.k} make each round's ${model.algorithm} update ${length} ` +
        `values, more than the ${RECOMMEND_LIMITS.maxUpdateLength} a round sums; lower k` +
        (model.algorithm === 'als' ? ' or use algorithm "bpr" (items x (k + 1) values)' : ' or declare fewer items'),
    );
  const secure = secureOf(input);
  const privacy = privacyOf(input, model.algorithm);
  if (secure.mode === 'sealed' && model.algorithm === 'bpr')
    throw new JobSpecError(
      'secure.mode',
      'sealed is refused with algorithm "bpr": the analyst\'s answer to a round carries Adagrad\'s state, from which ' +
        'the coordinator recovers the summed gradient, so sealing would hide nothing; use algorithm "als" for a ' +
        'sealed job, or secure.mode masked',
    );
  if (secure.mode === 'sealed' && privacy.mode !== 'none')
    throw new JobSpecError('privacy.mode', 'differential privacy is not available with secure.mode sealed; use masked');
  const seed = input.seed;
  if (seed !== undefined && (typeof seed !== 'string' || seed === ''))
    throw new JobSpecError('seed', `must be a non-empty string, got ${show(seed)}`);
  const unknownItems = input.unknownItems ?? 'refuse';
  if (unknownItems !== 'refuse' && unknownItems !== 'skip')
    throw new JobSpecError('unknownItems', `must be "refuse" or "skip", got ${show(unknownItems)}`);
  return {
    name: str(input, 'name', ''),
    kind: 'recommend',
    dataset: str(input, 'dataset', ''),
    columns: columnsOf(input),
    catalogue,
    unknownItems,
    model,
    rounds: cappedNum(input, 'rounds', '', defaultsOf(model.algorithm, privacy.mode !== 'none').rounds, 'rounds', {
      int: true,
      min: 1,
    }),
    evaluation: evaluationOf(input),
    ...(seed !== undefined ? { seed } : {}),
    privacy,
    secure,
    ...roundFields(input, RECOMMEND_SPEC_DEFAULTS),
  };
}

/**
 * The length of one merchant's item update (packages/recommend's `updateLength`): ALS sends per-item normal
 * equations, items x (T + K) + T + K with K = k + 1 and T = K(K + 1)/2; BPR the item gradient, items x (k + 1).
 */
export function recommendUpdateLength(algorithm: RecommendAlgorithmName, items: number, k: number): number {
  if (algorithm === 'bpr') return items * (k + 1);
  const K = k + 1;
  const T = (K * (K + 1)) / 2;
  return items * (T + K) + T + K;
}

function columnsOf(input: Obj): RecommendColumns {
  const o = section(input, 'columns', COLUMN_FIELDS);
  const d = RECOMMEND_SPEC_DEFAULTS.columns;
  const optional = (key: string) => (o[key] === undefined ? {} : { [key]: str(o, key, 'columns.') });
  const columns: RecommendColumns = {
    customer: str(o, 'customer', 'columns.', d.customer),
    item: str(o, 'item', 'columns.', d.item),
    ...optional('count'),
    ...optional('rating'),
    ...optional('timestamp'),
  };
  if (columns.count !== undefined && columns.rating !== undefined)
    throw new JobSpecError('columns.rating', 'give either a count column (implicit feedback) or a rating, not both');
  const named = Object.entries(columns);
  for (const [key, name] of named) {
    const other = named.find(([k, n]) => k !== key && n === name);
    if (other) throw new JobSpecError(`columns.${key}`, `names "${name}", which columns.${other[0]} names too`);
  }
  return columns;
}

function catalogueOf(input: Obj): { items: string[] } {
  if (input.catalogue === undefined)
    throw new JobSpecError(
      'catalogue',
      'is required: declare the public item catalogue as {"items": ["sku-1", ...]} (the CLI accepts ' +
        '{"file": "catalogue.csv"} and reads it into the list before signing)',
    );
  const o = section(input, 'catalogue', ['items']);
  const items = o.items;
  if (!Array.isArray(items) || items.length === 0)
    throw new JobSpecError('catalogue.items', `must be a non-empty list of item ids, got ${show(items)?.slice(0, 80)}`);
  if (items.length > RECOMMEND_LIMITS.maxItems)
    throw new JobSpecError('catalogue.items', `holds ${items.length} items, more than ${RECOMMEND_LIMITS.maxItems}`);
  const seen = new Set<string>();
  items.forEach((id, i) => {
    if (typeof id !== 'string' || id === '')
      throw new JobSpecError(`catalogue.items[${i}]`, `must be a non-empty string, got ${show(id)}`);
    if (seen.has(id)) throw new JobSpecError(`catalogue.items[${i}]`, `"${id}" is listed twice; list each item once`);
    seen.add(id);
  });
  return { items: items as string[] };
}

/** The algorithm's defaults, its private ones under DP. */
function defaultsOf(algorithm: RecommendAlgorithmName, dp: boolean): { lambda: number; rounds: number } {
  const d = RECOMMEND_SPEC_DEFAULTS;
  return dp ? d.private[algorithm] : d[algorithm];
}

const POSITIVE = { exclusiveMin: 0 };
const NON_NEGATIVE = { min: 0 };

function modelOf(input: Obj, dp: boolean): RecommendModelSection {
  const o = section(input, 'model', MODEL_FIELDS);
  const algorithm = o.algorithm ?? 'als';
  if (algorithm !== 'als' && algorithm !== 'bpr')
    throw new JobSpecError('model.algorithm', `must be "als" or "bpr", got ${show(algorithm)}`);
  const d = RECOMMEND_SPEC_DEFAULTS;
  if (algorithm === 'als' && o.itemRate !== undefined)
    throw new JobSpecError('model.itemRate', 'applies to algorithm "bpr" only; remove it or set algorithm "bpr"');
  if (algorithm === 'bpr' && o.alpha !== undefined)
    throw new JobSpecError('model.alpha', 'applies to algorithm "als" only; remove it or set algorithm "als"');
  return {
    algorithm,
    k: num(o, 'k', 'model.', d.k, { int: true, min: 1, max: RECOMMEND_LIMITS.maxK }),
    // ALS solves (G + D_i + lambda I): lambda 0 can leave an item's system singular, which the library refuses.
    lambda: num(o, 'lambda', 'model.', defaultsOf(algorithm, dp).lambda, algorithm === 'als' ? POSITIVE : NON_NEGATIVE),
    // Only the chosen algorithm's own setting, so that a parsed spec parses again to itself.
    ...(algorithm === 'als'
      ? { alpha: num(o, 'alpha', 'model.', d.als.alpha, { min: 0 }) }
      : { itemRate: num(o, 'itemRate', 'model.', (dp ? d.private : d).bpr.itemRate, { exclusiveMin: 0 }) }),
  };
}

function evaluationOf(input: Obj): { holdOut: 'last' | 'none' } {
  const o = section(input, 'evaluation', ['holdOut']);
  const holdOut = o.holdOut ?? 'last';
  if (holdOut !== 'last' && holdOut !== 'none')
    throw new JobSpecError('evaluation.holdOut', `must be "last" or "none", got ${show(holdOut)}`);
  return { holdOut };
}

function privacyOf(input: Obj, algorithm: RecommendAlgorithmName): RecommendPrivacy {
  const o = section(input, 'privacy', PRIVACY_FIELDS);
  const mode = o.mode ?? 'none';
  if (mode !== 'none' && mode !== 'distributed')
    throw new JobSpecError(
      'privacy.mode',
      `must be "none" or "distributed" (customer-level DP with noise shares), got ${show(mode)}`,
    );
  const d = RECOMMEND_SPEC_DEFAULTS.privacy;
  return {
    mode,
    ...epsilonDelta(o, d),
    clip: num(o, 'clip', 'privacy.', mode === 'none' ? d.clip : RECOMMEND_SPEC_DEFAULTS.private[algorithm].clip, {
      exclusiveMin: 0,
    }),
    maxCustomers: num(o, 'maxCustomers', 'privacy.', d.maxCustomers, { int: true, min: 1, max: 1e8 }),
  };
}

function secureOf(input: Obj): RecommendJobSpec['secure'] {
  const o = section(input, 'secure', SECURE_FIELDS);
  const mode = o.mode ?? 'masked';
  if (mode !== 'masked' && mode !== 'sealed')
    throw new JobSpecError(
      'secure.mode',
      `must be "masked" or "sealed" (recommend rounds always sum through secure aggregation), got ${show(mode)}`,
    );
  return {
    mode,
    ...secureRates(o),
  };
}
