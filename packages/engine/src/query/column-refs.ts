import type { QueryPlan } from '@tessera/analytics';
import { conditionColumns } from '@tessera/analytics';
import type { LocalEngine } from '../engine.js';

/** A column the query reads: its schema-checked, quoted identifier and its DuckDB type. */
export interface ColumnRef {
  quoted: string;
  type: string;
}

/**
 * Every column the plan names (group columns, WHERE, slots, sections, the customer key), checked against the data
 * set's served columns by engine.column (a DataError naming the source otherwise) before any SQL is built.
 */
export function planColumns(engine: LocalEngine, dataset: string, plan: QueryPlan): Map<string, ColumnRef> {
  const names = new Set<string>([...plan.columns, ...plan.groups.columns]);
  for (const c of conditionColumns(plan.query.where)) names.add(c);
  for (const s of plan.groups.slots) if (s.column !== undefined) names.add(s.column);
  for (const s of plan.sections) names.add(s.column);
  if (plan.unit.unit === 'customer') names.add(plan.unit.userColumn);
  const types = new Map(engine.describe(dataset).columns.map((c) => [c.name, c.type]));
  const refs = new Map<string, ColumnRef>();
  for (const name of names) {
    const quoted = engine.column(dataset, name);
    refs.set(name, { quoted, type: types.get(name) ?? 'VARCHAR' });
  }
  return refs;
}
