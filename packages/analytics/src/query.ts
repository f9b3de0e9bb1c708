/** The query model the SQL subset parses into. Plain data (JSON-serialisable). */

export type AggregateFunction = 'COUNT' | 'SUM' | 'AVG' | 'VARIANCE' | 'HISTOGRAM' | 'QUANTILES' | 'TOP_K';

export const AGGREGATE_FUNCTIONS: readonly AggregateFunction[] = [
  'COUNT',
  'SUM',
  'AVG',
  'VARIANCE',
  'HISTOGRAM',
  'QUANTILES',
  'TOP_K',
];

/** A group column in the SELECT list (it must appear in GROUP BY). */
export interface ColumnItem {
  kind: 'column';
  column: string;
  alias?: string;
}

/** An aggregate in the SELECT list. `column` is undefined only for COUNT(*); `k` only for TOP_K. */
export interface AggregateItem {
  kind: 'aggregate';
  fn: AggregateFunction;
  column?: string;
  k?: number;
  alias?: string;
}

export type SelectItem = ColumnItem | AggregateItem;

export type Literal = number | string;

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'compare'; column: string; op: ComparisonOp; value: Literal }
  | { kind: 'in'; column: string; values: Literal[] }
  | { kind: 'and'; conditions: Condition[] }
  | { kind: 'or'; conditions: Condition[] };

export interface Query {
  /** The SQL text the query was parsed from (or a description, for hand-built queries). */
  sql: string;
  items: SelectItem[];
  table: string;
  where?: Condition;
  groupBy: string[];
}

/** The canonical output name of an aggregate, e.g. 'COUNT(*)', 'AVG(order_value)', 'TOP_K(sku, 10)'. */
export function canonicalName(item: AggregateItem): string {
  if (item.fn === 'TOP_K') return `TOP_K(${item.column}, ${item.k})`;
  return `${item.fn}(${item.column ?? '*'})`;
}

/** The key an item's value has in a result row: its alias, else its canonical name (or column name). */
export function outputName(item: SelectItem): string {
  if (item.alias !== undefined) return item.alias;
  return item.kind === 'column' ? item.column : canonicalName(item);
}

/** Columns a condition reads. */
export function conditionColumns(c: Condition | undefined, out: string[] = []): string[] {
  if (!c) return out;
  if (c.kind === 'and' || c.kind === 'or') {
    for (const x of c.conditions) conditionColumns(x, out);
  } else if (!out.includes(c.column)) {
    out.push(c.column);
  }
  return out;
}
