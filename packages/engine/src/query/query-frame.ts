import type { QueryPlan } from '@tessera/analytics';
import { trimmedSql } from '../sql/cell-sql.js';
import type { ColumnRef } from './column-refs.js';
import { conditionSql } from './condition-sql.js';
import { integerSql, type SqlParams } from './sql-values.js';
import type { TempTables } from './temp-tables.js';

/** The name given to a row's 0-based position in source order (not a served column's name: see positionName). */
const POSITION = 'tessera_row_position';

/**
 * The rows a query reads, as SQL: `from` (the data set as alias r) and `where` (the WHERE condition). The group
 * domains: `keys`, the trimmed text of each group column (keySql); `domains`, the temporary tables (v, i) of their
 * declared values; `contributing`, `from` with those tables joined as d0, d1 on the keys (rows outside a declared
 * domain drop out: the rows that contribute); `group`, the group index over d0.i, d1.i in compileGroupOf's stride
 * layout. Cells are read as r."column"; `position` is r's source-order position when asked for (the customer unit's
 * sampling needs it).
 */
export interface QueryFrame {
  from: string;
  where: string;
  /** The group columns, qualified with r. */
  groupColumns: ColumnRef[];
  keys: string[];
  domains: string[];
  contributing: string;
  group: string;
  position?: string;
  /** The checked columns, qualified with the alias r. */
  columns: Map<string, ColumnRef>;
}

/** The trimmed text of a cell, '' for SQL NULL (the JavaScript path reads a NULL cell as ''). */
export function keySql(col: ColumnRef): string {
  return `coalesce(${trimmedSql(col.quoted, col.type)}, '')`;
}

export async function queryFrame(
  plan: QueryPlan,
  relation: string,
  checked: Map<string, ColumnRef>,
  params: SqlParams,
  temp: TempTables,
  withPosition = false,
): Promise<QueryFrame> {
  const columns = new Map([...checked].map(([name, c]) => [name, { ...c, quoted: `r.${c.quoted}` }]));
  let source = relation;
  let position: string | undefined;
  if (withPosition) {
    const name = positionName([...checked.keys()]);
    const list = [...checked.values()].map((c) => c.quoted).join(', ');
    source = `(SELECT row_number() OVER () - 1 AS "${name}", ${list} FROM ${relation})`;
    position = `r."${name}"`;
  }
  const joins: string[] = [];
  const terms: string[] = [];
  const keys: string[] = [];
  const tables: string[] = [];
  const groupColumns = plan.groups.columns.map((name) => columns.get(name)!);
  const { domains } = plan.groups;
  for (let i = 0; i < plan.groups.columns.length; i++) {
    const key = keySql(groupColumns[i]!);
    const table = await temp.valueIndex(domains[i]!);
    keys.push(key);
    tables.push(table);
    joins.push(`JOIN ${table} AS d${i} ON d${i}.v = ${key}`);
    const stride = domains.slice(i + 1).reduce((a, d) => a * d.length, 1);
    terms.push(stride === 1 ? `d${i}.i` : `d${i}.i * ${integerSql(stride)}`);
  }
  const group = terms.length ? `CAST(${terms.join(' + ')} AS BIGINT)` : '0';
  const from = `${source} AS r`;
  const contributing = [from, ...joins].join(' ');
  const where = conditionSql(plan.query.where, columns, params);
  return {
    from,
    where,
    groupColumns,
    keys,
    domains: tables,
    contributing,
    group,
    columns,
    ...(position ? { position } : {}),
  };
}

function positionName(columns: string[]): string {
  let name = POSITION;
  while (columns.includes(name)) name = `_${name}`;
  return name;
}
