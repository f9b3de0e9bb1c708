import {
  DEFAULT_VALUATION_EPSILON,
  DP_PAYOUT_METHODS,
  MAX_VALUATION_EPSILON,
  needsValidation,
  PAYOUT_METHOD_ALIASES,
  PAYOUT_METHODS,
  PAYOUT_METRICS,
  type PayoutSpec,
} from './payout-spec.js';
import { isObj, JobSpecError, noUnknownKeys, num, section, show, str, type Obj } from './job-spec-fields.js';
import type { JobSpec } from './job-spec-types.js';

/**
 * The `payout` section of a training job spec, given the rest of the spec: no sealing, and under differential privacy
 * only the valuations that need no member's update (records, a noisy count release at payout.epsilon, or equal).
 */
export function payoutOf(input: Obj, spec: JobSpec): PayoutSpec {
  const p = section(input, 'payout', [
    'pool',
    'currency',
    'valuation',
    'metric',
    'validation',
    'seed',
    'maxPermutations',
    'epsilon',
  ]);
  const dp = spec.privacy.mode !== 'none';
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
  const fallback = !dp ? 'auto' : spec.privacy.unit === 'record' ? 'records' : 'equal';
  const named = str(p, 'valuation', 'payout.', fallback);
  const valuation = PAYOUT_METHOD_ALIASES[named] ?? named;
  if (!(PAYOUT_METHODS as readonly string[]).includes(valuation))
    throw new JobSpecError('payout.valuation', `must be one of ${PAYOUT_METHODS.join(', ')}, got ${show(named)}`);
  if (dp) checkPrivateValuation(valuation, spec);
  const epsilon = valuationEpsilon(p, valuation, spec);
  const metric = str(p, 'metric', 'payout.', 'logLoss');
  if (!(PAYOUT_METRICS as readonly string[]).includes(metric))
    throw new JobSpecError('payout.metric', `must be one of ${PAYOUT_METRICS.join(', ')}, got ${show(metric)}`);
  const v = p.validation;
  if (v !== undefined || needsValidation(valuation as PayoutSpec['valuation'])) {
    if (!isObj(v) || typeof v.csv !== 'string' || !v.csv.trim()) {
      throw new JobSpecError(
        'payout.validation',
        'must be {csv: "<labelled validation rows as CSV text>"} ' +
          '(tessera job submit reads {path: file.csv} for you); coalition utilities are measured on these rows ' +
          '(valuation records and equal need none)',
      );
    }
    noUnknownKeys(v, ['csv', 'source'], 'payout.validation');
  }
  if (spec.secure.mode === 'sealed') {
    throw new JobSpecError(
      'payout',
      'valuation rebuilds coalition models next to the global model, ' +
        'which the coordinator does not see in sealed mode; use secure.mode masked or none for a job with a payout',
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
    ...(isObj(v) && typeof v.csv === 'string'
      ? {
          validation: {
            csv: v.csv,
            source: typeof v.source === 'string' && v.source ? v.source : 'payout.validation.csv',
          },
        }
      : {}),
    ...(epsilon !== undefined ? { epsilon } : {}),
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    ...(p.maxPermutations !== undefined
      ? { maxPermutations: num(p, 'maxPermutations', 'payout.', 0, { int: true, min: 1, max: 100_000 }) }
      : {}),
  };
}

/**
 * Under differential privacy: records or equal only. The Shapley family and leave-one-out value each member from its
 * own per-round model updates, which DP exists to hide (disclosing them would void the guarantee against the
 * coordinator, and valuing noised ones would pay for noise). records releases one noisy row count per member with a
 * record's sensitivity, so it fits a record-level guarantee only.
 */
function checkPrivateValuation(valuation: string, spec: JobSpec): void {
  const mode = spec.privacy.mode;
  if (!(DP_PAYOUT_METHODS as readonly string[]).includes(valuation))
    throw new JobSpecError(
      'payout.valuation',
      `${valuation} is refused under differential privacy (privacy.mode ${mode}): it values each member from its own ` +
        'per-round model updates, which differential privacy exists to hide (disclosing them would void the ' +
        'guarantee against the coordinator, and valuing noised updates would pay for the noise); ' +
        'use records (a noisy ' +
        'count of the rows each member trained on, released at payout.epsilon) or equal (see docs/payouts.md)',
    );
  if (valuation === 'records' && spec.privacy.unit !== 'record')
    throw new JobSpecError(
      'payout.valuation',
      `records releases each member's row count with a single row's sensitivity, which protects records, not the ` +
        `whole participant this job's privacy.unit ${spec.privacy.unit} protects; use equal, or privacy.unit record`,
    );
}

/** payout.epsilon: the records valuation's own release under differential privacy, in (0, 10], default 0.5. */
function valuationEpsilon(p: Obj, valuation: string, spec: JobSpec): number | undefined {
  const releases = spec.privacy.mode !== 'none' && valuation === 'records';
  if (!releases) {
    if (p.epsilon !== undefined)
      throw new JobSpecError(
        'payout.epsilon',
        'is the epsilon of the noisy row counts a job with differential privacy releases for valuation records; ' +
          `this payout releases none (privacy.mode ${spec.privacy.mode}, valuation ${valuation}): remove it`,
      );
    return undefined;
  }
  const e = p.epsilon ?? DEFAULT_VALUATION_EPSILON;
  if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0 || e > MAX_VALUATION_EPSILON)
    throw new JobSpecError(
      'payout.epsilon',
      `must be a number above 0 and at most ${MAX_VALUATION_EPSILON} (the valuation's own release), got ${show(e)}`,
    );
  return e;
}
