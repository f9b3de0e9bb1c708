import type { RawTable } from '@tessera/data';
import { QueryError } from './parse.js';
import {
  AGGREGATE_FUNCTIONS,
  canonicalName,
  conditionColumns,
  outputName,
  type AggregateItem,
  type Query,
} from './query.js';

export interface QueryOptions {
  /** For every numeric aggregate column: values are clamped to [lo, hi]; the bounds set the sensitivity. */
  bounds: Record<string, [number, number]>;
  /** For every GROUP BY column, and for HISTOGRAM over a categorical column: the declared values. */
  domains: Record<string, string[]>;
  /** HISTOGRAM/QUANTILES over a numeric column: bin edges (default: 32 equal bins over the bounds). */
  bins?: Record<string, number[]>;
  /** Groups whose (noisy) row count is below this are suppressed (default 0). */
  minCount?: number;
  /** Heavy hitters sketch settings. depth/width are optional extensions (defaults 4 and 256). */
  topK?: { maxLength?: number; threshold?: number; depth?: number; width?: number };
}

/**
 * What one "neighbouring data set" differs by, which the sensitivity covers: one row (`record`,
 * the default), or all the rows of one customer (`customer`): each participant keeps at most
 * `maxRowsPerUser` of a customer's contributing rows (identified by `userColumn`), chosen at
 * random with its own CSPRNG, so the sensitivity is `maxRowsPerUser` times the per-record one.
 */
export type PrivacyUnit = { unit: 'record' } | CustomerUnit;
export interface CustomerUnit {
  unit: 'customer';
  userColumn: string;
  maxRowsPerUser: number;
}
/** The largest per-customer cap a plan accepts (the noise grows linearly with it). */
export const MAX_ROWS_PER_USER = 10_000;

/**
 * A per-group counter: rows (COUNT(*)), non-missing cells (COUNT(col)), numeric cells, clamped sum, clamped sum of
 * squares.
 */
export type SlotKind = 'rows' | 'nonnull' | 'n' | 'sum' | 'sq';
export interface Slot {
  kind: SlotKind;
  column?: string;
  bounds?: [number, number];
}

export interface GroupLayout {
  /** GROUP BY columns (empty: one group). */
  columns: string[];
  /** Declared domain of each group column. */
  domains: string[][];
  /** Number of groups: the product of the domain sizes (1 without GROUP BY). */
  count: number;
  /** The counters of each group's block; slots[0] is always the row count. Block g starts at g * slots.length. */
  slots: Slot[];
}

export type Section =
  | {
      kind: 'histogram';
      name: string;
      column: string;
      offset: number;
      length: number;
      edges: number[];
      clamp: [number, number];
    }
  | { kind: 'categories'; name: string; column: string; offset: number; length: number; categories: string[] }
  | {
      kind: 'quantiles';
      name: string;
      column: string;
      offset: number;
      length: number;
      edges: number[];
      clamp: [number, number];
      leaves: number;
      levels: number;
    }
  | {
      kind: 'topk';
      name: string;
      column: string;
      offset: number;
      length: number;
      k: number;
      maxLength: number;
      depth: number;
      width: number;
      seed: string;
    };

/** How one SELECT item is read from the vector. */
export type Output =
  | { kind: 'group'; name: string; column: string }
  | { kind: 'count' | 'sum'; name: string; fn: string; slot: number }
  | { kind: 'avg'; name: string; fn: string; n: number; sum: number }
  | { kind: 'variance'; name: string; fn: string; n: number; sum: number; sq: number }
  | { kind: 'section'; name: string; fn: string; section: number };

export interface QueryPlan {
  query: Query;
  table: string;
  /** Length of the vector every participant contributes. */
  length: number;
  /**
   * Per coordinate: the most one record can add in absolute value (raw units). Dividing by it normalises one record's
   * contribution to [-1, 1].
   */
  scale: Float64Array;
  /**
   * L2 norm of one unit's normalised contribution (the sensitivity the noise is calibrated to, in normalised units):
   * recordSensitivity x maxRowsPerUser for unit customer.
   */
  sensitivity: number;
  /** L2 norm of one record's normalised contribution. */
  recordSensitivity: number;
  /** The unit the sensitivity protects. */
  unit: PrivacyUnit;
  /** Columns the query reads (with unit customer, the user column last). */
  columns: string[];
  groups: GroupLayout;
  /** Offset of the first section (= groups.count * groups.slots.length). */
  sectionsOffset: number;
  sections: Section[];
  outputs: Output[];
  minCount: number;
  /** TOP_K decoding threshold if declared (otherwise minCount, or 1% of the rows). */
  topKThreshold?: number;
}

export const DEFAULT_BINS = 32;
export const TOPK_DEFAULTS = { maxLength: 16, depth: 4, width: 256 } as const;
/** Public seed of the sketch hashes: every participant and the decoder must agree on it. */
export const TOPK_SEED = 'tessera/analytics/top-k/v1';
export const MAX_GROUP_COLUMNS = 2;
export const MAX_VECTOR_LENGTH = 1 << 24;

function fail(message: string): never {
  throw new QueryError(message);
}

function checkBounds(column: string, b: unknown, fn: string): [number, number] {
  if (
    !Array.isArray(b) ||
    b.length !== 2 ||
    !b.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
    b[0] > b[1]
  ) {
    fail(`${fn}: the bounds of "${column}" must be two finite numbers lo <= hi, got ${JSON.stringify(b)}`);
  }
  return [b[0], b[1]];
}

function numericEdges(column: string, options: QueryOptions, fn: string): { edges: number[]; clamp: [number, number] } {
  const declared = options.bins?.[column];
  const bounds = options.bounds[column] !== undefined ? checkBounds(column, options.bounds[column], fn) : undefined;
  if (declared !== undefined) {
    if (
      !Array.isArray(declared) ||
      declared.length < 2 ||
      !declared.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      declared.some((x, i) => i > 0 && x <= declared[i - 1]!)
    ) {
      fail(
        `${fn}: the bins of "${column}" must be at least two finite, strictly increasing edges, got ${JSON.stringify(declared)}`,
      );
    }
    const first = declared[0]!,
      last = declared[declared.length - 1]!; // at least two edges, checked above
    const lo = Math.max(first, bounds ? bounds[0] : -Infinity);
    const hi = Math.min(last, bounds ? bounds[1] : Infinity);
    return { edges: [...declared], clamp: lo <= hi ? [lo, hi] : [first, last] };
  }
  if (!bounds) {
    fail(
      `${fn} needs bounds or bin edges for "${column}" (declare bounds ${column}=LO:HI, e.g. --bounds ${column}=0:100, or bins for ${column})`,
    );
  }
  const [lo, hi] = bounds;
  if (!(hi > lo)) fail(`${fn}: the bounds of "${column}" must have lo < hi to make bins, got ${lo}:${hi}`);
  const edges = Array.from({ length: DEFAULT_BINS + 1 }, (_, i) =>
    i === DEFAULT_BINS ? hi : lo + ((hi - lo) * i) / DEFAULT_BINS,
  );
  return { edges, clamp: [lo, hi] };
}

function positiveInt(v: unknown, what: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    fail(`${what} must be a whole number between 1 and ${max}, got ${String(v)}`);
  return v;
}

/** The unit, checked: a customer unit needs a user column name and a whole-number cap of at least 1. */
function checkUnit(unit: PrivacyUnit | undefined): PrivacyUnit {
  if (unit === undefined || unit.unit === 'record') return { unit: 'record' };
  if (unit.unit !== 'customer')
    fail(`privacy.unit must be record or customer, got ${JSON.stringify((unit as { unit?: unknown }).unit)}`);
  if (typeof unit.userColumn !== 'string' || !unit.userColumn.trim()) {
    fail(
      'privacy.userColumn must name the column that identifies a customer (e.g. customer_id) when privacy.unit is customer',
    );
  }
  positiveInt(unit.maxRowsPerUser, 'privacy.maxRowsPerUser', MAX_ROWS_PER_USER);
  return { unit: 'customer', userColumn: unit.userColumn, maxRowsPerUser: unit.maxRowsPerUser };
}

/**
 * Plans a query: the vector layout, per-coordinate scale, and the sensitivity of the unit (one
 * record, or one customer's capped rows). Throws QueryError before any data is read.
 */
export function planQuery(query: Query, options: QueryOptions, privacyUnit?: PrivacyUnit): QueryPlan {
  const unit = checkUnit(privacyUnit);
  const bounds = options.bounds ?? {};
  const domains = options.domains ?? {};
  const opts: QueryOptions = { ...options, bounds, domains };
  if (!query || !Array.isArray(query.items) || query.items.length === 0) fail('the query selects nothing');
  const minCount = options.minCount ?? 0;
  if (typeof minCount !== 'number' || !Number.isFinite(minCount) || minCount < 0)
    fail(`minCount must be a non-negative number, got ${String(minCount)}`);

  // Group layout
  const groupBy = query.groupBy ?? [];
  if (groupBy.length > MAX_GROUP_COLUMNS)
    fail(`GROUP BY supports at most ${MAX_GROUP_COLUMNS} columns, got ${groupBy.length} (${groupBy.join(', ')})`);
  const groupDomains = groupBy.map((col) => {
    const d = domains[col];
    if (d === undefined) {
      fail(
        `GROUP BY "${col}" needs a declared domain (the list of its values, e.g. domains: { ${col}: ['a', 'b'] }); the groups must be fixed before any participant reads data`,
      );
    }
    if (!Array.isArray(d) || d.length === 0 || !d.every((x) => typeof x === 'string'))
      fail(`the domain of "${col}" must be a non-empty list of strings`);
    if (new Set(d).size !== d.length) fail(`the domain of "${col}" lists a value twice`);
    return [...d];
  });
  const groupCount = groupDomains.reduce((a, d) => a * d.length, 1);

  const slots: Slot[] = [{ kind: 'rows' }];
  const slotIndex = (kind: SlotKind, column: string, b?: [number, number]): number => {
    const i = slots.findIndex((s) => s.kind === kind && s.column === column);
    if (i >= 0) return i;
    slots.push(b ? { kind, column, bounds: b } : { kind, column });
    return slots.length - 1;
  };

  const outputs: Output[] = [];
  const pending: Array<{ item: AggregateItem; name: string; outputIndex: number }> = [];
  const seenNames = new Set<string>();
  for (const item of query.items) {
    const name = outputName(item);
    if (seenNames.has(name) || (groupBy.includes(name) && item.kind !== 'column')) {
      fail(`two select items are named "${name}"; give one an alias with AS`);
    }
    seenNames.add(name);
    if (item.kind === 'column') {
      if (!groupBy.includes(item.column))
        fail(`column "${item.column}" is selected without an aggregate, so it must appear in GROUP BY`);
      outputs.push({ kind: 'group', name, column: item.column });
      continue;
    }
    if (item.kind !== 'aggregate' || !AGGREGATE_FUNCTIONS.includes(item.fn)) {
      fail(
        `unknown aggregate ${String((item as { fn?: unknown }).fn)}; the subset supports ${AGGREGATE_FUNCTIONS.join(', ')}`,
      );
    }
    const fn = canonicalName(item);
    if (item.column === undefined && item.fn !== 'COUNT') fail(`${item.fn} needs a column`);
    const col = item.column as string;
    const needBounds = (): [number, number] => {
      const b = bounds[col];
      if (b === undefined) {
        fail(
          `${fn} needs bounds for "${col}": values are clamped to them and they set the noise (declare ${col}=LO:HI, e.g. --bounds ${col}=0:5000)`,
        );
      }
      return checkBounds(col, b, fn);
    };
    switch (item.fn) {
      case 'COUNT':
        outputs.push({ kind: 'count', name, fn, slot: item.column === undefined ? 0 : slotIndex('nonnull', col) });
        break;
      case 'SUM': {
        const b = needBounds();
        outputs.push({ kind: 'sum', name, fn, slot: slotIndex('sum', col, b) });
        break;
      }
      case 'AVG': {
        const b = needBounds();
        outputs.push({ kind: 'avg', name, fn, n: slotIndex('n', col), sum: slotIndex('sum', col, b) });
        break;
      }
      case 'VARIANCE': {
        const b = needBounds();
        outputs.push({
          kind: 'variance',
          name,
          fn,
          n: slotIndex('n', col),
          sum: slotIndex('sum', col, b),
          sq: slotIndex('sq', col, b),
        });
        break;
      }
      case 'HISTOGRAM':
      case 'QUANTILES':
      case 'TOP_K':
        if (groupBy.length > 0) {
          fail(
            `${fn} is computed over all matching records and cannot be combined with GROUP BY; run it in a separate query (optionally with a WHERE filter per group)`,
          );
        }
        pending.push({ item, name, outputIndex: outputs.length });
        outputs.push({ kind: 'section', name, fn, section: -1 });
        break;
    }
  }
  if (!outputs.some((o) => o.kind !== 'group')) fail('the query has no aggregate');

  const sectionsOffset = groupCount * slots.length;
  let offset = sectionsOffset;
  const sections: Section[] = [];
  const topK = options.topK ?? {};
  const maxLength = positiveInt(topK.maxLength ?? TOPK_DEFAULTS.maxLength, 'topK.maxLength', 64);
  const depth = positiveInt(topK.depth ?? TOPK_DEFAULTS.depth, 'topK.depth', 16);
  const width = positiveInt(topK.width ?? TOPK_DEFAULTS.width, 'topK.width', 65536);
  if (
    topK.threshold !== undefined &&
    !(typeof topK.threshold === 'number' && topK.threshold > 0 && Number.isFinite(topK.threshold))
  ) {
    fail(`topK.threshold must be a positive number, got ${String(topK.threshold)}`);
  }
  for (const { item, name, outputIndex } of pending) {
    const col = item.column as string;
    const fn = canonicalName(item);
    let s: Section;
    if (item.fn === 'HISTOGRAM') {
      const categorical = opts.bins?.[col] === undefined && domains[col] !== undefined;
      if (categorical) {
        const cats = domains[col];
        if (!Array.isArray(cats) || cats.length === 0 || new Set(cats).size !== cats.length)
          fail(`${fn}: the domain of "${col}" must be a non-empty list of distinct strings`);
        s = { kind: 'categories', name, column: col, offset, length: cats.length, categories: [...cats] };
      } else {
        if (opts.bins?.[col] === undefined && bounds[col] === undefined) {
          fail(
            `${fn} needs bin edges or bounds for a numeric column, or a declared domain (categories) for a categorical one; "${col}" has none`,
          );
        }
        const { edges, clamp } = numericEdges(col, opts, fn);
        s = { kind: 'histogram', name, column: col, offset, length: edges.length - 1, edges, clamp };
      }
    } else if (item.fn === 'QUANTILES') {
      const { edges, clamp } = numericEdges(col, opts, fn);
      const bins = edges.length - 1;
      let leaves = 1;
      let levels = 1;
      while (leaves < bins) {
        leaves *= 2;
        levels++;
      }
      s = { kind: 'quantiles', name, column: col, offset, length: 2 * leaves - 1, edges, clamp, leaves, levels };
    } else {
      const k = positiveInt(item.k, `${fn}: k`, 10000);
      s = {
        kind: 'topk',
        name,
        column: col,
        offset,
        length: maxLength * depth * width,
        k,
        maxLength,
        depth,
        width,
        seed: TOPK_SEED,
      };
    }
    offset += s.length;
    if (offset > MAX_VECTOR_LENGTH)
      fail(
        `the query's vector would have more than ${MAX_VECTOR_LENGTH} entries; use smaller domains, fewer bins or a smaller sketch`,
      );
    sections.push(s);
    (outputs[outputIndex] as Extract<Output, { kind: 'section' }>).section = sections.length - 1;
  }
  if (sectionsOffset > MAX_VECTOR_LENGTH || offset > MAX_VECTOR_LENGTH) {
    fail(
      `the query's vector would have more than ${MAX_VECTOR_LENGTH} entries (${groupCount} groups); use smaller domains`,
    );
  }
  const length = offset;

  // Scale and sensitivity: every coordinate's maximal per-record contribution; a record touches each of its
  // group's slots once, one bin per histogram, one node per quantile-tree level, one counter per sketch row and level.
  const scale = new Float64Array(length);
  const slotScale = slots.map((s) => {
    if (s.kind === 'sum') return Math.max(Math.abs(s.bounds![0]), Math.abs(s.bounds![1])) || 1;
    if (s.kind === 'sq') return Math.max(s.bounds![0] ** 2, s.bounds![1] ** 2) || 1;
    return 1;
  });
  for (let g = 0; g < groupCount; g++) scale.set(slotScale, g * slots.length);
  scale.fill(1, sectionsOffset);
  let touched = slots.length;
  for (const s of sections) {
    touched += s.kind === 'quantiles' ? s.levels : s.kind === 'topk' ? s.maxLength * s.depth : 1;
  }

  const columns: string[] = [...groupBy];
  conditionColumns(query.where, columns);
  for (const item of query.items)
    if (item.kind === 'aggregate' && item.column !== undefined && !columns.includes(item.column))
      columns.push(item.column);
  if (unit.unit === 'customer' && !columns.includes(unit.userColumn)) columns.push(unit.userColumn);

  // One customer adds at most maxRowsPerUser records' contributions: by the triangle inequality their
  // sum has L2 norm at most maxRowsPerUser x the record's, wherever the rows land (the same group,
  // where the bound is reached, or different groups and bins, where it is sqrt(maxRowsPerUser) x).
  const recordSensitivity = Math.sqrt(touched);
  const plan: QueryPlan = {
    query,
    table: query.table,
    length,
    scale,
    recordSensitivity,
    unit,
    columns,
    sensitivity: unit.unit === 'customer' ? unit.maxRowsPerUser * recordSensitivity : recordSensitivity,
    groups: { columns: [...groupBy], domains: groupDomains, count: groupCount, slots },
    sectionsOffset,
    sections,
    outputs,
    minCount,
  };
  if (topK.threshold !== undefined) plan.topKThreshold = topK.threshold;
  return plan;
}

/**
 * Checks that the table has every column the plan reads; throws QueryError naming the missing one and the table's
 * columns.
 */
export function checkColumns(plan: QueryPlan, table: RawTable): void {
  if (plan.unit.unit === 'customer' && !table.columns.includes(plan.unit.userColumn)) {
    const c = plan.unit.userColumn;
    const near = table.columns.find((x) => x.toLowerCase() === c.toLowerCase());
    fail(
      `privacy.userColumn "${c}" is not a column of table ${plan.table} (${table.source}), so rows cannot be capped per customer; its columns are: ${table.columns.join(', ')}` +
        `${near ? `. Did you mean "${near}"? (column names are case-sensitive)` : ''}; set privacy.userColumn to the column that identifies a customer`,
    );
  }
  for (const c of plan.columns) {
    if (!table.columns.includes(c)) {
      const near = table.columns.find((x) => x.toLowerCase() === c.toLowerCase());
      fail(
        `unknown column "${c}" in table ${plan.table} (${table.source}); its columns are: ${table.columns.join(', ')}${near ? `. Did you mean "${near}"? (column names are case-sensitive)` : ''}`,
      );
    }
  }
}
