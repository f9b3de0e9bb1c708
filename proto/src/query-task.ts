// The one mapping between a declared query (SQL, options, unit, as @tessera/analytics plans it) and the wire's
// QueryTask, so the coordinator and a participant read the same query.
import type { PrivacyUnit, QueryOptions } from '@tessera/analytics';
import { tessera } from './gen/tessera.js';

const Unit = tessera.v1.QueryTask.Unit;

/** A query as the analyst declared it: what a participant plans when its task carries no job spec. */
export interface DeclaredQuery {
  sql: string;
  options: QueryOptions;
  unit?: PrivacyUnit;
}

type QueryFields = Pick<tessera.v1.IQueryTask, 'sql' | 'options' | 'unit' | 'userColumn' | 'maxRowsPerUser'>;

export function declaredQueryToProto(q: DeclaredQuery): QueryFields {
  const unit: QueryFields =
    q.unit === undefined
      ? {}
      : q.unit.unit === 'customer'
        ? { unit: Unit.CUSTOMER, userColumn: q.unit.userColumn, maxRowsPerUser: q.unit.maxRowsPerUser }
        : { unit: Unit.RECORD };
  return { sql: q.sql, options: queryOptionsToProto(q.options), ...unit };
}

/** The declared query of a task, or undefined when it carries none (no QueryTask, or one without SQL). */
export function declaredQueryFromProto(q: tessera.v1.IQueryTask | null | undefined): DeclaredQuery | undefined {
  if (!q?.sql) return undefined;
  const unit: PrivacyUnit | undefined =
    q.unit === Unit.CUSTOMER
      ? { unit: 'customer', userColumn: q.userColumn ?? '', maxRowsPerUser: q.maxRowsPerUser ?? 0 }
      : q.unit === Unit.RECORD
        ? { unit: 'record' }
        : undefined;
  return { sql: q.sql, options: queryOptionsFromProto(q.options), ...(unit ? { unit } : {}) };
}

function queryOptionsToProto(o: QueryOptions): tessera.v1.IQueryOptions {
  const each = <T, U>(m: Record<string, T> | undefined, f: (v: T) => U): Record<string, U> =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, f(v)]));
  return {
    bounds: each(o.bounds, ([lo, hi]) => ({ lo, hi })),
    domains: each(o.domains, (values) => ({ values })),
    bins: each(o.bins, (edges) => ({ edges })),
    ...(o.minCount !== undefined ? { minCount: o.minCount } : {}),
    ...(o.topK ? { topK: { ...o.topK } } : {}),
  };
}

/** Options from the wire; a setting the wire leaves out stays out (the planner's default applies). */
function queryOptionsFromProto(o: tessera.v1.IQueryOptions | null | undefined): QueryOptions {
  const each = <T, U>(m: Record<string, T> | null | undefined, f: (v: T) => U): Record<string, U> =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, f(v)]));
  const bins = each(o?.bins, (b) => [...(b.edges ?? [])]);
  const t = o?.topK;
  const topK = t
    ? {
        ...(t.maxLength != null ? { maxLength: t.maxLength } : {}),
        ...(t.threshold != null ? { threshold: t.threshold } : {}),
        ...(t.depth != null ? { depth: t.depth } : {}),
        ...(t.width != null ? { width: t.width } : {}),
      }
    : undefined;
  return {
    bounds: each(o?.bounds, (b): [number, number] => [b.lo ?? 0, b.hi ?? 0]),
    domains: each(o?.domains, (d) => [...(d.values ?? [])]),
    ...(Object.keys(bins).length ? { bins } : {}),
    ...(o?.minCount != null ? { minCount: o.minCount } : {}),
    ...(topK ? { topK } : {}),
  };
}
