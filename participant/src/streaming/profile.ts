// SCHEMA over a large data set: column summaries gathered once at open, so that the profile is answered at once.
import {
  profileSummaries,
  type ColumnSummary,
  type LabelTarget,
  type LocalSchema,
  type ProfileOptions,
  type SummarisedTable,
} from '@tessera/data';
import { summariseForProfile } from '@tessera/engine';
import type { LocalData } from '../local-data.js';

/**
 * Distinct values kept per column: well above any category cap, enough to check a multiclass label value by value.
 * A column with more is reported as having "more than" this many.
 */
export const SUMMARY_DISTINCT_LIMIT = 1024;

const summaries = new WeakMap<LocalData, Map<string, SummarisedTable>>();

/**
 * Summarises every served column of data set `name` in the engine (profile-summary.ts in @tessera/engine: two grouped
 * scans, the same summaries as ColumnSummariser fed every row): memory is bounded by SUMMARY_DISTINCT_LIMIT values a
 * column. LocalData.open runs it for each data set beyond the cell budget, so that `streamedProfile` can answer
 * synchronously (admission profiles inside a ledger transaction).
 */
export async function prepareProfile(data: LocalData, name: string): Promise<void> {
  const d = data.describe(name);
  const columns = d.columns.map((c) => c.name);
  const { rows, summaries: byColumn } = await summariseForProfile(data.engine, name, SUMMARY_DISTINCT_LIMIT, columns);
  let byData = summaries.get(data);
  if (!byData) {
    byData = new Map();
    summaries.set(data, byData);
  }
  byData.set(name, {
    source: d.source,
    columns,
    rows,
    lineOf: (row) => row + 1,
    lineName: 'row',
    summary: (column) => byColumn.get(column) as ColumnSummary, // profileSummaries asks only for listed columns
  });
}

/** Whether `prepareProfile` has summarised the data set. */
export function hasProfile(data: LocalData, name: string): boolean {
  return summaries.get(data)?.has(name) ?? false;
}

/** profileTable's schema and errors for a large data set, from its summaries (after `prepareProfile`). */
export function streamedProfile(data: LocalData, name: string, label: string, opts: ProfileOptions): LocalSchema {
  const s = summaries.get(data)?.get(name);
  if (!s) throw new Error(`data set "${name}" has no column summaries yet (LocalData.open prepares them)`);
  return profileSummaries(s, label, opts);
}

/**
 * LocalData.profile's answer for a large data set: `exclude` is the task's, to which the owner's own excluded columns
 * (served columns the data set does not offer to tasks) are added, as LocalData.profile adds them.
 */
export function largeProfile(
  data: LocalData,
  name: string,
  label: string,
  exclude: string[],
  features: string[],
  target?: LabelTarget,
): LocalSchema {
  const offered = new Set(data.servedColumns(name));
  const owners = data.columnNames(name).filter((c) => !offered.has(c));
  return streamedProfile(data, name, label, {
    exclude: [...new Set([...exclude, ...owners])],
    ...(features.length ? { features } : {}),
    ...(target ? { target } : {}),
  });
}
