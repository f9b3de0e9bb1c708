import { numberValue, type RawTable } from '@tessera/data';
import { checkColumns, type QueryPlan } from './plan.js';
import type { Condition, Literal } from './query.js';
import { itemCounters } from './sketch.js';
import { pathNodes } from './tree.js';

const MISSING = /^(?:|na|n\/a|null|nan)$/i;

/** A cell is missing when, trimmed, it is empty or NA, N/A, NULL or NaN (any case). */
export function isMissing(cell: string | undefined): boolean {
  return cell === undefined || MISSING.test(cell.trim());
}

/** The number in a cell for numeric aggregates; undefined when the cell is missing or not a number. */
export function cellNumber(cell: string | undefined): number | undefined {
  if (cell === undefined || isMissing(cell)) return undefined;
  const v = numberValue(cell);
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

function compareLiteral(cell: string, op: string, value: Literal): boolean {
  if (isMissing(cell)) return false; // SQL: a comparison with NULL is not true
  let c: number;
  if (typeof value === 'number') {
    const v = numberValue(cell);
    if (v === undefined) return false;
    c = v < value ? -1 : v > value ? 1 : 0;
  } else {
    const s = cell.trim();
    c = s < value ? -1 : s > value ? 1 : 0;
  }
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** Compiles a WHERE condition against a table's column positions. */
export function compileCondition(c: Condition | undefined, columns: string[]): (row: string[]) => boolean {
  if (!c) return () => true;
  switch (c.kind) {
    case 'and': {
      const parts = c.conditions.map((x) => compileCondition(x, columns));
      return (row) => parts.every((p) => p(row));
    }
    case 'or': {
      const parts = c.conditions.map((x) => compileCondition(x, columns));
      return (row) => parts.some((p) => p(row));
    }
    case 'compare': {
      const i = columns.indexOf(c.column);
      return (row) => compareLiteral(row[i] ?? '', c.op, c.value);
    }
    case 'in': {
      const i = columns.indexOf(c.column);
      return (row) => c.values.some((v) => compareLiteral(row[i] ?? '', '=', v));
    }
  }
}

/** Index of the bin holding v (v already clamped to [edges[0], edges[last]]); the last bin includes its right edge. */
export function binOf(edges: number[], v: number): number {
  // planQuery gives every binned section at least two edges, so 0 <= lo <= mid <= hi <= edges.length - 2.
  let lo = 0;
  let hi = edges.length - 2;
  if (v >= edges[hi]!) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The group a row contributes to (its index in the plan's group layout), or -1 when it contributes
 * nothing: it fails WHERE, or a GROUP BY value is outside the declared domain.
 */
export function compileGroupOf(plan: QueryPlan, cols: string[]): (row: string[]) => number {
  const where = compileCondition(plan.query.where, cols);
  const { domains } = plan.groups;
  const groupIdx = plan.groups.columns.map((c) => cols.indexOf(c));
  const groupMaps = domains.map((d) => new Map(d.map((v, i) => [v, i])));
  const strides = domains.map((_, i) => domains.slice(i + 1).reduce((a, d) => a * d.length, 1));
  return (row) => {
    if (!where(row)) return -1;
    let g = 0;
    // groupIdx, groupMaps and strides have one entry per group column.
    for (let i = 0; i < groupIdx.length; i++) {
      const k = groupMaps[i]!.get((row[groupIdx[i]!] ?? '').trim());
      if (k === undefined) return -1;
      g += k * strides[i]!;
    }
    return g;
  };
}

const clamp = (v: number, [lo, hi]: [number, number]) => (v < lo ? lo : v > hi ? hi : v);

/**
 * A participant's local evaluation: the exact vector in raw units (row counts, non-missing counts, clamped sums
 * and sums of squares per group; histogram bin counts; quantile-tree node counts; sketch counters).
 * Rows failing WHERE, or whose GROUP BY value is outside the declared domain, contribute nothing. A record whose
 * cell in an aggregated column is missing (empty, NA, N/A, NULL, NaN) or, for numeric aggregates, not a number,
 * is skipped for that aggregate only.
 */
export function evaluateLocally(plan: QueryPlan, table: RawTable): Float64Array {
  checkColumns(plan, table);
  const cols = table.columns;
  const out = new Float64Array(plan.length);
  const groupOf = compileGroupOf(plan, cols);
  const { slots } = plan.groups;
  const width = slots.length;
  const slotCol = slots.map((s) => (s.column === undefined ? -1 : cols.indexOf(s.column)));
  const sketchCache = plan.sections.map(() => new Map<string, Int32Array>());
  const secCol = plan.sections.map((sec) => cols.indexOf(sec.column));
  const path: number[] = [];

  // out has plan.length entries, and planQuery lays every group block, section and counter inside it; slotCol has
  // one entry per slot and secCol and sketchCache one per section. A cell itself may be absent (a short row):
  // isMissing and cellNumber treat that as missing.
  for (const row of table.rows) {
    const g = groupOf(row);
    if (g < 0) continue;
    const base = g * width;
    for (let s = 0; s < width; s++) {
      const slot = slots[s]!;
      switch (slot.kind) {
        case 'rows':
          out[base + s]! += 1;
          break;
        case 'nonnull':
          if (!isMissing(row[slotCol[s]!])) out[base + s]! += 1;
          break;
        case 'n':
          if (cellNumber(row[slotCol[s]!]) !== undefined) out[base + s]! += 1;
          break;
        case 'sum': {
          const v = cellNumber(row[slotCol[s]!]);
          if (v !== undefined) out[base + s]! += clamp(v, slot.bounds!);
          break;
        }
        case 'sq': {
          const v = cellNumber(row[slotCol[s]!]);
          if (v !== undefined) out[base + s]! += clamp(v, slot.bounds!) ** 2;
          break;
        }
      }
    }
    for (let si = 0; si < plan.sections.length; si++) {
      const sec = plan.sections[si]!;
      const cell = row[secCol[si]!];
      if (sec.kind === 'categories') {
        if (cell === undefined) continue;
        const k = sec.categories.indexOf(cell.trim());
        if (k >= 0) out[sec.offset + k]! += 1;
      } else if (sec.kind === 'histogram') {
        const v = cellNumber(cell);
        if (v !== undefined) out[sec.offset + binOf(sec.edges, clamp(v, sec.clamp))]! += 1;
      } else if (sec.kind === 'quantiles') {
        const v = cellNumber(cell);
        if (v === undefined) continue;
        for (const j of pathNodes(sec.leaves, binOf(sec.edges, clamp(v, sec.clamp)), path)) out[sec.offset + j]! += 1;
      } else {
        if (cell === undefined || isMissing(cell)) continue;
        const item = cell.trim();
        const cache = sketchCache[si]!;
        let counters = cache.get(item);
        if (!counters) {
          counters = itemCounters(sec, item);
          cache.set(item, counters);
        }
        for (let j = 0; j < counters.length; j++) out[sec.offset + counters[j]!]! += 1;
      }
    }
  }
  return out;
}
