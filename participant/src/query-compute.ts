import {
  capRowsPerUser,
  checkColumns,
  evaluateLocally,
  parseQuery,
  planQuery,
  type QueryPlan,
} from '@tessera/analytics';
import { systemRandom, type Random } from '@tessera/crypto';
import { checkQueryVectorLength, JobSpecError, parseQuerySpec } from '@tessera/jobs';
import { declaredQueryFromProto, type tessera } from '@tessera/proto';
import type { RawTable } from '@tessera/data';
import type { LocalResult } from './local-compute.js';
import type { LocalData } from './local-data.js';
import {
  applyMinGroupSize,
  checkIdentifierUse,
  checkQueryRules,
  OPEN_QUERY_RULES,
  type QueryRules,
} from './query-guard.js';

/**
 * The query a task asks for, planned here: from the job spec the task carries (the one the analyst
 * submitted, and signed, which admission verified) when it carries one, so the coordinator's
 * announced query cannot change the SQL, bounds, domains or unit; else from the task's declared query.
 */
export function queryPlanOf(task: tessera.v1.ITask): QueryPlan {
  if (task.specJson) {
    try {
      return parseQuerySpec(JSON.parse(task.specJson)).plan;
    } catch (e) {
      if (e instanceof JobSpecError || e instanceof SyntaxError)
        throw new Error(`the task's query job spec is invalid (${e.message}); refused before reading any data`);
      throw e;
    }
  }
  const query = declaredQueryFromProto(task.query);
  if (!query) throw new Error('the task carries no query; refused before reading any data');
  const plan = planQuery(parseQuery(query.sql), query.options, query.unit);
  // A task without a spec is sized here alone: the same cap as at submission, before the vector is allocated.
  checkQueryVectorLength(plan.length);
  return plan;
}

/**
 * The checks a query passes before it is admitted (and charged): the owner's query rules, the
 * columns it needs, no filter or grouping on identifier-like columns unless allowed, and the
 * scale's row limit. Throws with the reason (never a row count); returns the plan and the table.
 */
export function precheckQuery(
  data: LocalData,
  task: tessera.v1.ITask,
  rules: QueryRules,
): { plan: QueryPlan; table: RawTable } {
  const dataset = task.dataset ?? '';
  checkQueryRules(rules, `query rules of data set "${dataset}"`);
  const plan = queryPlanOf(task);
  const table = data.table(dataset);
  checkColumns(plan, table);
  checkIdentifierUse(plan, table, rules, dataset);
  const maxRecords = Number(task.query?.maxRecords ?? Number.POSITIVE_INFINITY);
  if (table.rows.length > maxRecords)
    throw new Error(
      `data set "${dataset}" has more rows than the ${maxRecords} a private query's scale allows; refused`,
    );
  return { plan, table };
}

/**
 * Analytics: the job's query planned here as at the coordinator, checked against the owner's query
 * rules (no filter or grouping on identifier-like columns unless allowed), run on the local table
 * into the fixed-shape vector. With unit customer, at most maxRowsPerUser rows per customer are
 * kept, chosen with `rng` (this node's CSPRNG; nobody else knows the draw). Without DP the vector
 * holds exact raw sums, with groups below rules.minGroupSize zeroed; under DP it is normalised by
 * each coordinate's per-record bound (every entry of one record's contribution in [-1, 1]) for the
 * fixed-point encoding its noise share is added to.
 */
export function runQueryLocally(
  data: LocalData,
  task: tessera.v1.ITask,
  rules: QueryRules = OPEN_QUERY_RULES,
  rng: Random = systemRandom(),
): LocalResult {
  const { plan, table } = precheckQuery(data, task, rules);
  const release = task.query;
  const used = capRowsPerUser(plan, table, rng).table;
  const level = Number(release?.dpLevel ?? 0);
  const exact = !(level > 0);
  const raw = applyMinGroupSize(plan, evaluateLocally(plan, used), rules, exact);
  if (exact)
    return {
      vector: raw,
      numExamples: table.rows.length,
      metrics: {},
      ...(release?.wideFractionBits ? { fractionBits: Number(release.wideFractionBits) } : {}),
    };
  // Every coordinate has its per-record bound: one scale per value of the plan's vector.
  if (raw.length !== plan.scale.length)
    throw new Error(`the query computed ${raw.length} values, and its plan has ${plan.scale.length} scales`);
  return { vector: raw.map((v, i) => v / plan.scale[i]!), level, numExamples: table.rows.length, metrics: {} };
}
