import type { RawTable } from '@tessera/data';
import { AGGREGATE_FUNCTIONS, canonicalName, conditionColumns, outputName, type Query } from './query.js';
import { checkBounds, checkUnit, fail } from './plan-options.js';
import { planSections, type PendingSection } from './plan-sections.js';
import {
  MAX_GROUP_COLUMNS,
  type Output,
  type PrivacyUnit,
  type QueryOptions,
  type QueryPlan,
  type Slot,
  type SlotKind,
} from './plan-types.js';

// Planning a query: the group counters, the outputs and the sensitivity are laid out here; the
// sections (plan-sections.ts) and the checks of the options (plan-options.ts) live beside it. The
// re-exports keep './plan.js' the one import for a plan's types and limits.
export {
  DEFAULT_BINS,
  MAX_GROUP_COLUMNS,
  MAX_ROWS_PER_USER,
  MAX_VECTOR_LENGTH,
  TOPK_DEFAULTS,
  TOPK_SEED,
  type CustomerUnit,
  type GroupLayout,
  type Output,
  type PrivacyUnit,
  type QueryOptions,
  type QueryPlan,
  type Section,
  type Slot,
  type SlotKind,
} from './plan-types.js';

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
        `GROUP BY "${col}" needs a declared domain (the list of its values, e.g. domains: ` +
          `{ ${col}: ['a', 'b'] }); the groups must be fixed before any participant reads data`,
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
  const pending: PendingSection[] = [];
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
        `unknown aggregate ${String((item as { fn?: unknown }).fn)}; ` +
          `the subset supports ${AGGREGATE_FUNCTIONS.join(', ')}`,
      );
    }
    const fn = canonicalName(item);
    if (item.column === undefined && item.fn !== 'COUNT') fail(`${item.fn} needs a column`);
    const col = item.column as string;
    const needBounds = (): [number, number] => {
      const b = bounds[col];
      if (b === undefined) {
        fail(
          `${fn} needs bounds for "${col}": values are clamped to them and they set the noise ` +
            `(declare ${col}=LO:HI, e.g. --bounds ${col}=0:5000)`,
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
            `${fn} is computed over all matching records and cannot be combined with GROUP BY; ` +
              'run it in a separate query (optionally with a WHERE filter per group)',
          );
        }
        pending.push({ item, name, outputIndex: outputs.length });
        outputs.push({ kind: 'section', name, fn, section: -1 });
        break;
    }
  }
  if (!outputs.some((o) => o.kind !== 'group')) fail('the query has no aggregate');

  const sectionsOffset = groupCount * slots.length;
  const { sections, length } = planSections(pending, opts, outputs, sectionsOffset, groupCount);

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
  const threshold = options.topK?.threshold;
  if (threshold !== undefined) plan.topKThreshold = threshold;
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
      `privacy.userColumn "${c}" is not a column of table ${plan.table} (${table.source}), ` +
        `so rows cannot be capped per customer; its columns are: ${table.columns.join(', ')}` +
        `${near ? `. Did you mean "${near}"? (column names are case-sensitive)` : ''}; ` +
        'set privacy.userColumn to the column that identifies a customer',
    );
  }
  for (const c of plan.columns) {
    if (!table.columns.includes(c)) {
      const near = table.columns.find((x) => x.toLowerCase() === c.toLowerCase());
      const hint = near ? `. Did you mean "${near}"? (column names are case-sensitive)` : '';
      fail(
        `unknown column "${c}" in table ${plan.table} (${table.source}); ` +
          `its columns are: ${table.columns.join(', ')}${hint}`,
      );
    }
  }
}
