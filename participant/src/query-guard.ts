import { cellNumber, isMissing, suppressSmallGroups, type Condition, type QueryPlan } from '@tessera/analytics';
import type { RawTable } from '@tessera/data';

/**
 * The owner's rules for aggregate queries on one data set, enforced here before anything is sent:
 * - `minGroupSize`: a query answered without differential privacy releases nothing about a group
 *   (a GROUP BY group, or the whole query without GROUP BY) with fewer local rows than this: its
 *   whole contribution is zeroed, row count included (and so are histogram bins, quantile-tree
 *   leaves and sketch counters below it). Under DP the noise and the coordinator's noisy-count
 *   suppression protect small groups instead.
 * - `identifierColumns`: columns that identify a person (a customer key, an email): no filter and
 *   no grouping on them.
 * - `allowIdentifierQueries`: lift the identifier rule (for this data set).
 */
export interface QueryRules {
  minGroupSize: number;
  identifierColumns: string[];
  allowIdentifierQueries: boolean;
}

/** The rules of a node without a policy: nothing refused, nothing suppressed (as before the guard). */
export const OPEN_QUERY_RULES: Readonly<QueryRules> = Object.freeze({
  minGroupSize: 0,
  identifierColumns: [],
  allowIdentifierQueries: true,
});

/** A column counts as unique per row only in a table of at least this many rows. */
export const UNIQUE_MIN_ROWS = 20;

/**
 * A query refused by the data owner's rules; the message names the column and how the owner can allow it, never a row
 * count.
 */
export class QueryGuardRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryGuardRefusal';
  }
}

/** The rules, checked: a bad policy value is named (e.g. from a hand-written policy file). */
export function checkQueryRules(rules: QueryRules, where = 'query rules'): QueryRules {
  if (typeof rules.minGroupSize !== 'number' || !Number.isInteger(rules.minGroupSize) || rules.minGroupSize < 0) {
    throw new Error(
      `${where}: minGroupSize must be a whole number of rows of at least 0, got ${JSON.stringify(rules.minGroupSize)}`,
    );
  }
  if (!Array.isArray(rules.identifierColumns) || rules.identifierColumns.some((c) => typeof c !== 'string')) {
    throw new Error(
      `${where}: identifierColumns must be a list of column names, got ${JSON.stringify(rules.identifierColumns)}`,
    );
  }
  if (typeof rules.allowIdentifierQueries !== 'boolean') {
    throw new Error(
      `${where}: allowIdentifierQueries must be true or false, got ${JSON.stringify(rules.allowIdentifierQueries)}`,
    );
  }
  return rules;
}

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * How a query uses a column: as a filter (with its comparison kinds) or as a key that splits the result by its values.
 */
interface ColumnUse {
  column: string;
  how: 'filter' | 'group key';
  rangeOnly: boolean;
}

function usesOf(plan: QueryPlan): ColumnUse[] {
  const uses: ColumnUse[] = [];
  const walk = (c: Condition | undefined): void => {
    if (!c) return;
    if (c.kind === 'and' || c.kind === 'or') {
      for (const sub of c.conditions) walk(sub);
      return;
    }
    const rangeOnly = c.kind === 'compare' && RANGE_OPS.has(c.op);
    const seen = uses.find((u) => u.column === c.column && u.how === 'filter');
    if (seen) seen.rangeOnly &&= rangeOnly;
    else uses.push({ column: c.column, how: 'filter', rangeOnly });
  };
  walk(plan.query.where);
  for (const column of plan.groups.columns) uses.push({ column, how: 'group key', rangeOnly: false });
  // A categorical histogram or a heavy-hitters sketch splits the result by the column's values as GROUP BY does.
  for (const s of plan.sections)
    if (s.kind === 'categories' || s.kind === 'topk')
      uses.push({ column: s.column, how: 'group key', rangeOnly: false });
  return uses;
}

/**
 * Whether a column's values are unique per row here (a table of at least UNIQUE_MIN_ROWS rows,
 * every row with a value no other row has), and whether they are ordered quantities (numbers or
 * ISO dates), for which a range filter selects an interval rather than a person.
 */
/** Whether a column identifies rows: unique per row, and whether its values are ordered (numbers or dates). */
export interface ColumnUniqueness {
  unique: boolean;
  ordered: boolean;
}

export function uniqueness(table: RawTable, column: string): ColumnUniqueness {
  const i = table.columns.indexOf(column);
  if (i < 0 || table.rows.length < UNIQUE_MIN_ROWS) return { unique: false, ordered: false };
  const seen = new Set<string>();
  let ordered = true;
  for (const row of table.rows) {
    const cell = row[i];
    if (cell === undefined || isMissing(cell)) return { unique: false, ordered: false };
    const v = cell.trim();
    if (seen.has(v)) return { unique: false, ordered: false };
    seen.add(v);
    if (ordered && cellNumber(v) === undefined && !ISO_DATE.test(v)) ordered = false;
  }
  return { unique: true, ordered };
}

/**
 * Refuses a query that filters or groups on an identifier-like column, unless the rules allow it:
 * a column the owner lists in identifierColumns, the query's own customer key (privacy.userColumn),
 * or a column whose values are unique per row in this table. On an ordered unique column (numbers,
 * dates) range filters (<, <=, >, >=) stay allowed: they select an interval of values, which the
 * minimum group size (without DP) or the noise (with DP) protects; equality, !=, IN and grouping
 * pick out single rows and are refused. The message names the column and the owner's setting,
 * never a row count.
 */
export function checkIdentifierUse(
  plan: QueryPlan,
  table: RawTable | ((column: string) => ColumnUniqueness),
  rules: QueryRules,
  dataset: string,
): void {
  if (rules.allowIdentifierQueries) return;
  const allow =
    `the data owner can allow it with datasets.${dataset}.allowIdentifierQueries: ` +
    "true in this node's consent policy";
  for (const use of usesOf(plan)) {
    const listed = rules.identifierColumns.includes(use.column);
    const customerKey = plan.unit.unit === 'customer' && plan.unit.userColumn === use.column;
    let why: string | undefined;
    if (listed) why = 'the data owner lists it as an identifier';
    else if (customerKey) why = 'it is the customer key of this query (privacy.userColumn)';
    else {
      const u = typeof table === 'function' ? table(use.column) : uniqueness(table, use.column);
      if (u.unique && !(use.how === 'filter' && use.rangeOnly && u.ordered))
        why = 'its values are unique per row in this data set, so it identifies single rows';
    }
    if (why) {
      throw new QueryGuardRefusal(
        `query refused by the data owner's rules: it uses column "${use.column}" as a ${use.how}, and ${why}; ` +
          `aggregate over other columns instead (${allow})`,
      );
    }
  }
}

/**
 * The minimum group size of an exact (non-DP) release, applied to the local vector in raw units:
 * groups, bins, tree leaves and sketch counters with fewer than rules.minGroupSize rows are zeroed
 * (suppressSmallGroups). Under DP (`exact` false) the vector is returned unchanged.
 */
export function applyMinGroupSize(plan: QueryPlan, raw: Float64Array, rules: QueryRules, exact: boolean): Float64Array {
  if (!exact || rules.minGroupSize <= 1) return raw;
  return suppressSmallGroups(plan, raw, rules.minGroupSize).vector;
}
