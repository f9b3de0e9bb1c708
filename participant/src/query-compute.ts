import {
  capRowsPerUser,
  checkColumns,
  evaluateLocally,
  parseQuery,
  planQuery,
  type PrivacyUnit,
  type QueryOptions,
  type QueryPlan,
} from '@tessera/analytics';
import { systemRandom, type Random } from '@tessera/crypto';
import { JobSpecError, parseQuerySpec } from '@tessera/jobs';
import { fromConfigEntries, type tessera } from '@tessera/proto';
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
 * config cannot change the SQL, bounds, domains or unit; else from the task's config.
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
  const config = fromConfigEntries(task.config);
  if (config.query === undefined) throw new Error('the task carries no query; refused before reading any data');
  const { sql, options, unit } = JSON.parse(String(config.query)) as {
    sql: string;
    options: QueryOptions;
    unit?: PrivacyUnit;
  };
  return planQuery(parseQuery(sql), options, unit);
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
  const maxRecords = Number(fromConfigEntries(task.config).maxRecords ?? Number.POSITIVE_INFINITY);
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
  const config = fromConfigEntries(task.config);
  const used = capRowsPerUser(plan, table, rng).table;
  const level = Number(config.dpLevel ?? 0);
  const exact = !(level > 0);
  const raw = applyMinGroupSize(plan, evaluateLocally(plan, used), rules, exact);
  if (exact)
    return {
      vector: raw,
      numExamples: table.rows.length,
      metrics: {},
      ...(config.wideFractionBits ? { fractionBits: Number(config.wideFractionBits) } : {}),
    };
  return { vector: raw.map((v, i) => v / plan.scale[i]), level, numExamples: table.rows.length, metrics: {} };
}
