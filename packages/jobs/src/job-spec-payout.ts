import { PAYOUT_METHOD_ALIASES, PAYOUT_METHODS, PAYOUT_METRICS, type PayoutSpec } from './payout-spec.js';
import { isObj, JobSpecError, noUnknownKeys, num, section, show, str, type Obj } from './job-spec-fields.js';
import type { JobSpec } from './job-spec-types.js';

/** The `payout` section of a training job spec, given the rest of the spec (a payout needs no DP and no sealing). */
export function payoutOf(input: Obj, spec: JobSpec): PayoutSpec {
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
      'must be {csv: "<labelled validation rows as CSV text>"} ' +
        '(tessera job submit reads {path: file.csv} for you); coalition utilities are measured on these rows',
    );
  }
  noUnknownKeys(v, ['csv', 'source'], 'payout.validation');
  if (spec.privacy.mode !== 'none') {
    throw new JobSpecError(
      'payout',
      "valuation needs each participant's per-round updates, which differential privacy is there to hide; " +
        'a job with a payout needs privacy.mode none (see docs/payouts.md)',
    );
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
    validation: { csv: v.csv, source: typeof v.source === 'string' && v.source ? v.source : 'payout.validation.csv' },
    ...(seed !== undefined ? { seed: String(seed) } : {}),
    ...(p.maxPermutations !== undefined
      ? { maxPermutations: num(p, 'maxPermutations', 'payout.', 0, { int: true, min: 1, max: 100_000 }) }
      : {}),
  };
}
