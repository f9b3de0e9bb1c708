import { checkColumns, evaluateLocally, parseQuery, planQuery, type QueryOptions } from '@tessera/analytics';
import { fromConfigEntries, type tessera } from '@tessera/proto';
import type { LocalResult } from './local-compute.js';
import type { LocalData } from './local-data.js';

/**
 * Analytics: the job's query (SQL, bounds, domains) planned here as at the coordinator, run on the
 * local table into the fixed-shape vector: exact raw sums without DP, or normalised by each
 * coordinate's per-record bound (every entry of one record's contribution in [-1, 1]) for the
 * fixed-point encoding its noise share is added to.
 */
export function runQueryLocally(data: LocalData, task: tessera.v1.ITask): LocalResult {
  const config = fromConfigEntries(task.config);
  const { sql, options } = JSON.parse(String(config.query ?? '{}')) as { sql: string; options: QueryOptions };
  const plan = planQuery(parseQuery(sql), options);
  const table = data.table(task.dataset ?? '');
  checkColumns(plan, table);
  const maxRecords = Number(config.maxRecords ?? Number.POSITIVE_INFINITY);
  if (table.rows.length > maxRecords) throw new Error(`data set "${task.dataset}" has ${table.rows.length} rows, more than the ${maxRecords} a private query's scale allows`);
  const raw = evaluateLocally(plan, table);
  const level = Number(config.dpLevel ?? 0);
  if (!(level > 0)) return { vector: raw, numExamples: table.rows.length, metrics: {}, ...(config.wideFractionBits ? { fractionBits: Number(config.wideFractionBits) } : {}) };
  return { vector: raw.map((v, i) => v / plan.scale[i]), level, numExamples: table.rows.length, metrics: {} };
}
