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
  if (typeof value === 'string' && op !== '=' && op !== '<>' && UTF16_ORDER_DIFFERS.test(value)) {
    return `coalesce(${present} AND ${utf16Order(cell)} ${op} ${utf16Order(literal)}, FALSE)`;
  }
  return `coalesce(${present} AND ${cell} ${op} ${literal}, FALSE)`;
}

/**
 * JavaScript orders text by UTF-16 code units, DuckDB by UTF-8 bytes (code points): the two differ only between a
 * character in U+E000..U+FFFF and one above U+FFFF, which UTF-16 puts below it. Against a literal without such
 * characters (no code unit from U+D800 on) the orders agree at the first difference, whatever the cell holds.
 */
const UTF16_ORDER_DIFFERS = /[\uD800-\uFFFF]/;

/**
 * Text rewritten so that its code point order is the UTF-16 order of the original: each character in
 * U+E000..U+FFFF gets U+10FFFF before it (sorting it above every character beyond U+FFFF), and U+10FFFF itself
 * becomes U+10FFFF U+0001 (above the others beyond U+FFFF, below the prefixed ones). No key is a prefix of another.
 */
function utf16Order(text: string): string {
  const top = `regexp_replace(${text}, '\\x{10FFFF}', chr(1114111) || chr(1), 'g')`;
  return `regexp_replace(${top}, '([\\x{E000}-\\x{FFFF}])', chr(1114111) || '\\1', 'g')`;
}

function column(columns: Map<string, ColumnRef>, name: string): ColumnRef {
  const c = columns.get(name);
  if (!c) throw new Error(`column "${name}" was not checked against the data set's schema`);
  return c;
}
