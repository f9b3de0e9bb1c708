import { checkColumns, parseQuery, planQuery, type QueryPlan } from '@tessera/analytics';
import { systemRandom, type Random } from '@tessera/crypto';
import { checkQueryVectorLength, JobSpecError, parseQuerySpec } from '@tessera/jobs';
import { declaredQueryFromProto, type tessera } from '@tessera/proto';
import { DataError, lineLookup, type RawTable } from '@tessera/data';
import { evaluateQuery } from '@tessera/engine';
import type { LocalResult } from './local-compute.js';
import type { LocalData } from './local-data.js';
import {
  applyMinGroupSize,
  checkIdentifierUse,
  checkQueryRules,
  OPEN_QUERY_RULES,
  QueryGuardRefusal,
  type QueryRules,
} from './query-guard.js';
import { valuationSlotsOf, withValuationCounts } from './query-valuation.js';

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
 * columns it needs, the data set's declared customer key, no filter or grouping on identifier-like
 * columns unless allowed, and the scale's row limit. Throws with the reason (never a row count);
 * returns the plan. Reads only what the engine described when the node opened its data (and, within
 * the cell budget, the table for the exact identifier test): no row is read for the task.
 */
export function precheckQuery(data: LocalData, task: tessera.v1.ITask, rules: QueryRules): { plan: QueryPlan } {
  const dataset = task.dataset ?? '';
  checkQueryRules(rules, `query rules of data set "${dataset}"`);
  const plan = queryPlanOf(task);
  checkServed(plan, data, dataset);
  checkColumns(plan, columnsOnly(data, dataset));
  const key = data.customerKey(dataset);
  if (key !== undefined && plan.unit.unit === 'customer' && plan.unit.userColumn !== key)
    throw new QueryGuardRefusal(
      `query refused by the data owner's rules: the data owner declared "${key}" as the customer key of data set ` +
        `"${dataset}", and the query caps rows by "${plan.unit.userColumn}"; set privacy.userColumn to "${key}"`,
    );
  checkIdentifierUse(plan, data.columnUniqueness(dataset), rules, dataset);
  // A private query's noise is sized for maxRecords rows; an exact one travels in the wide encoding, which refuses
  // (encodeWide) a sum beyond its range rather than capping the rows.
  const maxRecords = Number(task.query?.maxRecords ?? Number.POSITIVE_INFINITY);
  if (Number(task.query?.dpLevel ?? 0) > 0 && data.rowCount(dataset) > maxRecords)
    throw new Error(
      `data set "${dataset}" has more rows than the ${maxRecords} a private query's scale allows; refused`,
    );
  return { plan };
}

/**
 * A column outside a consent policy's datasets.NAME.columns is not served: refused as such, naming the column and
 * the policy (without saying whether the data has it).
 */
function checkServed(plan: QueryPlan, data: LocalData, dataset: string): void {
  const policy = data.columnsPolicy(dataset);
  if (policy === undefined) return;
  const served = data.columnNames(dataset);
  const used = plan.unit.unit === 'customer' ? [...plan.columns, plan.unit.userColumn] : plan.columns;
  const hidden = used.find((c) => !served.includes(c));
  if (hidden !== undefined)
    throw new DataError(
      { source: data.describe(dataset).source, column: hidden },
      `data set "${dataset}" does not serve this column: ${policy} serves only datasets.${dataset}.columns ` +
        `(${served.join(', ')}); ask the data owner, or query those columns`,
    );
}

/** The data set's served columns as an empty table, for the plan's column checks. */
function columnsOnly(data: LocalData, dataset: string): RawTable {
  const d = data.describe(dataset);
  return { source: d.source, columns: data.columnNames(dataset), rows: [], lineOf: lineLookup([]) };
}

/**
 * Analytics: the job's query planned here as at the coordinator, checked against the owner's query
 * rules (no filter or grouping on identifier-like columns unless allowed), run by the local engine
 * (DuckDB, packages/engine: the plan compiled to schema-checked, quoted SQL; the JavaScript
 * evaluateLocally is its test oracle) into the fixed-shape vector. With unit customer, at most
 * maxRowsPerUser rows per customer are kept, chosen with `rng` (this node's CSPRNG; nobody else knows
 * the draw). Without DP the vector holds exact raw sums, with groups below rules.minGroupSize zeroed;
 * under DP it is normalised by each coordinate's per-record bound (every entry of one record's
 * contribution in [-1, 1]) for the fixed-point encoding its noise share is added to.
 * With valuation slots (`valuation: records`, checked by checkValuationSlots), this node's row count per group follows
 * in its own slots (`self`: this node's participant id), in the same encoding: query-valuation.ts.
 */
export async function runQueryLocally(
  data: LocalData,
  task: tessera.v1.ITask,
  rules: QueryRules = OPEN_QUERY_RULES,
  rng: Random = systemRandom(),
  self?: string,
): Promise<LocalResult> {
  await data.open();
  const { plan } = precheckQuery(data, task, rules);
  const dataset = task.dataset ?? '';
  const outcome = await evaluateQuery(data.engine, dataset, plan, rng);
  const release = task.query;
  const level = Number(release?.dpLevel ?? 0);
  const exact = !(level > 0);
  const raw = applyMinGroupSize(plan, outcome.vector, rules, exact);
  const rows = data.rowCount(dataset);
  const slots = valuationSlotsOf(task);
  if (slots.length > 0 && self === undefined)
    throw new Error("a query with valuation slots needs this node's participant id to find its own; refused");
  const counted = (v: Float64Array) => (slots.length > 0 ? withValuationCounts(plan, v, slots, self!) : v);
  if (exact)
    return {
      vector: counted(raw),
      numExamples: rows,
      metrics: {},
      ...(release?.wideFractionBits ? { fractionBits: Number(release.wideFractionBits) } : {}),
    };
  // Every coordinate has its per-record bound: one scale per value of the plan's vector.
  if (raw.length !== plan.scale.length)
    throw new Error(`the query computed ${raw.length} values, and its plan has ${plan.scale.length} scales`);
  return { vector: counted(raw.map((v, i) => v / plan.scale[i]!)), level, numExamples: rows, metrics: {} };
}
