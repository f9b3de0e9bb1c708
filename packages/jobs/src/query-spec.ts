import { parseSubmission } from './submission.js';
import {
  parseQuery,
  planQuery,
  QueryError,
  type PrivacyUnit,
  type QueryOptions,
  type QueryPlan,
} from '@tessera/analytics';
import { JobSpecError } from './job-spec.js';
import { checkQueryVectorLength } from './spec-caps.js';

/**
 * An analytics job: one aggregate query over a data set every participant serves, run once through secure aggregation.
 */
export interface QuerySpec {
  name: string;
  kind: 'query';
  sql: string;
  /** The logical data set: the query's FROM table. */
  dataset: string;
  options: QueryOptions;
  /**
   * unit: what the guarantee protects: one row (`record`, the default), or one customer
   * (`customer`: every participant keeps at most `maxRowsPerUser` of the rows of each value of
   * `userColumn`, chosen with its own CSPRNG; the sensitivity is maxRowsPerUser x a row's).
   */
  privacy: {
    mode: 'none' | 'distributed' | 'central' | 'local';
    epsilon: number;
    delta: number;
    unit: 'record' | 'customer';
    userColumn?: string;
    maxRowsPerUser?: number;
  };
  secure: { mode: 'masked' | 'sealed'; dropoutRate: number; corruptFraction: number };
  /**
   * `records`: every member of the secure sum also puts its row count per group (the rows the query used) into slots
   * of its own appended to the query vector, released jointly with the report (query-valuation.ts); the job's
   * valuation for data-trust products. Absent: no valuation.
   */
  valuation?: 'records';
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const PRIVACY_FIELDS = ['mode', 'epsilon', 'delta', 'unit', 'userColumn', 'maxRowsPerUser'];
const FIELDS = [
  'name',
  'kind',
  'sql',
  'bounds',
  'domains',
  'bins',
  'minCount',
  'privacy',
  'secure',
  'valuation',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'submission',
];

/**
 * Validates a query job (the SQL, its bounds and domains, privacy) before any participant reads data; errors name the
 * field or the SQL token.
 */
export function parseQuerySpec(input: unknown): { spec: QuerySpec; plan: QueryPlan } {
  if (!isObj(input)) throw new JobSpecError('(root)', 'a query job spec is an object with at least "sql"');
  for (const k of Object.keys(input))
    if (!FIELDS.includes(k)) throw new JobSpecError(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
  parseSubmission(input.submission);
  if (typeof input.sql !== 'string' || !input.sql.trim())
    throw new JobSpecError('sql', 'must be the query text, e.g. SELECT region, COUNT(*) FROM orders GROUP BY region');
  const pairs = (key: string): Record<string, [number, number]> => {
    const v = input[key] ?? {};
    if (!isObj(v)) throw new JobSpecError(key, 'must map columns to [low, high]');
    for (const [c, b] of Object.entries(v)) {
      if (
        !Array.isArray(b) ||
        b.length !== 2 ||
        !b.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
        !(b[0] < b[1])
      ) {
        throw new JobSpecError(`${key}.${c}`, `must be [low, high] with low < high, got ${JSON.stringify(b)}`);
      }
    }
    return v as Record<string, [number, number]>;
  };
  const lists = (key: string, kind: 'string' | 'number'): Record<string, never[]> => {
    const v = input[key] ?? {};
    if (!isObj(v)) throw new JobSpecError(key, `must map columns to lists of ${kind}s`);
    for (const [c, l] of Object.entries(v)) {
      if (!Array.isArray(l) || l.length === 0 || l.some((x) => typeof x !== kind))
        throw new JobSpecError(`${key}.${c}`, `must be a non-empty list of ${kind}s`);
    }
    return v as Record<string, never[]>;
  };
  const privacyIn = input.privacy === undefined ? {} : input.privacy;
  if (!isObj(privacyIn)) throw new JobSpecError('privacy', 'must be an object {mode, epsilon, delta, unit}');
  for (const k of Object.keys(privacyIn))
    if (!PRIVACY_FIELDS.includes(k))
      throw new JobSpecError(`privacy.${k}`, `unknown field; known fields: ${PRIVACY_FIELDS.join(', ')}`);
  const mode = privacyIn.mode ?? 'none';
  if (!['none', 'distributed', 'central', 'local'].includes(mode as string))
    throw new JobSpecError('privacy.mode', `must be none, distributed, central or local, got ${JSON.stringify(mode)}`);
  const epsilon = privacyIn.epsilon ?? 1,
    delta = privacyIn.delta ?? 1e-6;
  if (typeof epsilon !== 'number' || !(epsilon > 0))
    throw new JobSpecError('privacy.epsilon', `must be a positive number, got ${JSON.stringify(epsilon)}`);
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1))
    throw new JobSpecError('privacy.delta', `must be between 0 and 1, got ${JSON.stringify(delta)}`);
  const unit = privacyUnitOf(privacyIn, mode as string);
  const secureIn = input.secure === undefined ? {} : input.secure;
  if (!isObj(secureIn)) throw new JobSpecError('secure', 'must be an object {mode}');
  const secureMode = secureIn.mode ?? 'masked';
  if (secureMode !== 'masked' && secureMode !== 'sealed')
    throw new JobSpecError(
      'secure.mode',
      `must be masked or sealed (queries always run through secure aggregation), got ${JSON.stringify(secureMode)}`,
    );
  if (secureMode === 'sealed' && mode !== 'none')
    throw new JobSpecError(
      'privacy.mode',
      'differential privacy is not available with secure.mode sealed yet; use masked',
    );
  const valuation = valuationOf(input.valuation, secureMode);
  const positive = (k: string, fallback: number, int = false): number => {
    const v = input[k] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || (int && !Number.isInteger(v)))
      throw new JobSpecError(k, `must be a positive ${int ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
    return v;
  };
  const minCount = input.minCount ?? (mode === 'none' ? 0 : 10);
  if (typeof minCount !== 'number' || minCount < 0)
    throw new JobSpecError('minCount', `must be a count of at least 0, got ${JSON.stringify(minCount)}`);
  const options: QueryOptions = {
    bounds: pairs('bounds'),
    domains: lists('domains', 'string'),
    bins: lists('bins', 'number'),
    minCount,
  };
  let plan: QueryPlan;
  try {
    plan = planQuery(parseQuery(input.sql), options, unit);
  } catch (e) {
    if (e instanceof QueryError) throw new JobSpecError('sql', e.message);
    throw e;
  }
  checkQueryVectorLength(plan.length);
  const spec: QuerySpec = {
    name: typeof input.name === 'string' && input.name ? input.name : `query-${plan.table}`,
    kind: 'query',
    sql: input.sql,
    dataset: plan.table,
    options,
    privacy: { mode: mode as QuerySpec['privacy']['mode'], epsilon, delta, ...unit },
    secure: { mode: secureMode, dropoutRate: 0.1, corruptFraction: 0.1 },
    ...(valuation ? { valuation } : {}),
    minParticipants: positive('minParticipants', 2, true),
    roundTimeoutSeconds: positive('roundTimeoutSeconds', 120),
    waitForParticipantsSeconds: positive('waitForParticipantsSeconds', 120),
  };
  return { spec, plan };
}

/** The values of a query's `valuation` field (omitted: none). */
export const QUERY_VALUATIONS = ['records'] as const;

/**
 * A query's valuation: `records`, or none when omitted. Refused with secure.mode sealed, where the coordinator never
 * sees the sum and so could not read the counts.
 */
function valuationOf(v: unknown, secureMode: string): QuerySpec['valuation'] {
  if (v === undefined) return undefined;
  if (!(QUERY_VALUATIONS as readonly unknown[]).includes(v))
    throw new JobSpecError(
      'valuation',
      `must be ${QUERY_VALUATIONS.join(' or ')} (each member's row count per group, released with the query), ` +
        `or omitted for none; got ${JSON.stringify(v)}`,
    );
  if (secureMode === 'sealed')
    throw new JobSpecError(
      'valuation',
      'records is not available with secure.mode sealed: only the analyst decrypts the sum, so the coordinator ' +
        'would not see the row counts it splits sales by; use secure.mode masked, or remove valuation',
    );
  return v as QuerySpec['valuation'];
}

/**
 * The unit a query's guarantee covers, with its contradictions refused naming the field: a user
 * column or cap without unit customer, unit customer without a user column, or a customer unit
 * (which is a differential privacy guarantee) on a query without differential privacy.
 */
function privacyUnitOf(p: Obj, mode: string): PrivacyUnit {
  const unit = p.unit ?? 'record';
  if (unit === 'participant')
    throw new JobSpecError(
      'privacy.unit',
      'participant is a unit of training jobs; a query protects one record (record) or one customer (customer)',
    );
  if (unit !== 'record' && unit !== 'customer')
    throw new JobSpecError('privacy.unit', `must be record or customer, got ${JSON.stringify(unit)}`);
  if (unit === 'record') {
    const stray = (['userColumn', 'maxRowsPerUser'] as const).find((k) => p[k] !== undefined);
    if (stray) {
      throw new JobSpecError(
        `privacy.${stray}`,
        'is set but privacy.unit is record, which protects single rows and caps nothing; ' +
          `set privacy.unit to customer to protect each customer's rows, or remove privacy.${stray}`,
      );
    }
    return { unit: 'record' };
  }
  if (mode === 'none') {
    throw new JobSpecError(
      'privacy.unit',
      'customer is a differential privacy guarantee, but privacy.mode is none; set privacy.mode to distributed, ' +
        'central or local, or remove privacy.unit',
    );
  }
  if (typeof p.userColumn !== 'string' || !p.userColumn.trim()) {
    throw new JobSpecError(
      'privacy.userColumn',
      'is required with privacy.unit customer: the column that identifies a customer (e.g. customer_id), ' +
        `got ${JSON.stringify(p.userColumn)}`,
    );
  }
  const cap = p.maxRowsPerUser ?? 1;
  if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1 || cap > 10_000) {
    throw new JobSpecError(
      'privacy.maxRowsPerUser',
      `must be a whole number of rows between 1 and 10000 (the noise grows with it), got ${JSON.stringify(cap)}`,
    );
  }
  return { unit: 'customer', userColumn: p.userColumn, maxRowsPerUser: cap };
}
