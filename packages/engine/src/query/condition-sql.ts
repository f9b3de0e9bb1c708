import type { ComparisonOp, Condition, Literal } from '@tessera/analytics';
import { missingSql, numberValueSql, trimmedSql } from '../sql/cell-sql.js';
import type { ColumnRef } from './column-refs.js';
import type { SqlParams } from './sql-values.js';

const OPERATORS: Record<ComparisonOp, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * A WHERE condition as SQL with evaluate.ts compareLiteral's semantics: a missing cell compares false; against a
 * number the cell's number (NUMBER grammar) is compared, text that is no number compares false; against a string the
 * trimmed text is compared. Every literal is a bound parameter. The result is never NULL (NULL reads as false).
 */
export function conditionSql(c: Condition | undefined, columns: Map<string, ColumnRef>, params: SqlParams): string {
  if (!c) return 'TRUE';
  switch (c.kind) {
    case 'and':
    case 'or': {
      const parts = c.conditions.map((x) => conditionSql(x, columns, params));
      if (parts.length === 0) return c.kind === 'and' ? 'TRUE' : 'FALSE';
      return `(${parts.join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'compare':
      return compareSql(column(columns, c.column), OPERATORS[c.op], c.value, params);
    case 'in': {
      const col = column(columns, c.column);
      const parts = c.values.map((v) => compareSql(col, '=', v, params));
      return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
    }
  }
}

function compareSql(col: ColumnRef, op: string | undefined, value: Literal, params: SqlParams): string {
  if (op === undefined) throw new Error('unknown comparison operator');
  const present = `NOT ${missingSql(col.quoted, col.type)}`;
  const cell = typeof value === 'number' ? numberValueSql(col.quoted, col.type) : trimmedSql(col.quoted, col.type);
  const literal = typeof value === 'number' ? params.double(value) : params.text(value);
  return `coalesce(${present} AND ${cell} ${op} ${literal}, FALSE)`;
}

function column(columns: Map<string, ColumnRef>, name: string): ColumnRef {
  const c = columns.get(name);
  if (!c) throw new Error(`column "${name}" was not checked against the data set's schema`);
  return c;
}
