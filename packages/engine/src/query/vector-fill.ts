import { DuckDBDecimalValue } from '@duckdb/node-api';
import type { QueryPlan, Section } from '@tessera/analytics';
import { binOf, itemCounters, pathNodes } from '@tessera/analytics';
import { fixedPointValue } from './fixed-point.js';
import type { AggregateLayout } from './aggregate-sql.js';

type Cell = unknown;

/**
 * Accumulates the aggregation's result rows (see aggregateSql) into the plan's vector: slot totals per group (the
 * fixed-point and exact decimal totals summed as bigints, converted once at the end), section counts per key
 * (quantile leaves spread to their tree path, top-k items to their sketch counters). Also counts the contributing
 * rows.
 */
export class VectorFill {
  readonly vector: Float64Array;
  contributing = 0;
  private readonly width: number;
  /** Per group and slot: the running total (bigint for fixed-point and counts, number for DOUBLE fallbacks). */
  private readonly totals: (bigint | number)[];
  private readonly path: number[] = [];

  constructor(
    private readonly plan: QueryPlan,
    private readonly layout: AggregateLayout,
  ) {
    this.vector = new Float64Array(plan.length);
    this.width = plan.groups.slots.length;
    this.totals = Array.from({ length: plan.groups.count * this.width }, () => 0n);
  }

  add(row: readonly Cell[]): void {
    const m = this.layout.sections;
    if (m === 0) {
      const grouped = this.plan.groups.columns.length > 0;
      this.addSlots(grouped ? Number(row[0]) : 0, row, grouped ? 1 : 0);
      return;
    }
    // GROUPING(k_j) is 0 for the set that groups by k_j.
    const set = row.slice(m, 2 * m).findIndex((flag) => Number(flag) === 0);
    const count = Number(row[2 * m]);
    if (set === 0) this.addSlots(0, row, 2 * m);
    const key = row[set];
    if (key === null || key === undefined) return;
    const sec = this.plan.sections[set]!;
    if (this.layout.valueKeys[set] && 'edges' in sec) this.addSection(sec, binOf(sec.edges, Number(key)), count);
    else this.addSection(sec, key, count);
  }

  /** The vector, with every slot total converted from its fixed-point or count form. */
  finish(): Float64Array {
    this.contributing = Number(
      this.totals.filter((_, i) => i % this.width === 0).reduce((a, b) => BigInt(a) + BigInt(b), 0n),
    );
    for (let i = 0; i < this.totals.length; i++) {
      const shift = this.layout.shifts[i % this.width];
      const t = this.totals[i]!;
      const scale = this.layout.scales[i % this.width]!;
      this.vector[i] = typeof t === 'bigint' ? fixedPointValue(t, shift, scale) : t;
    }
    return this.vector;
  }

  private addSlots(group: number, row: readonly Cell[], first: number): void {
    const base = group * this.width;
    for (let s = 0; s < this.width; s++) {
      // An exact DECIMAL sum arrives as its unscaled integer and scale (the layout's scale).
      const cell = row[first + s];
      const v = cell instanceof DuckDBDecimalValue ? cell.value : cell;
      if (v === null || v === undefined) continue;
      const t = this.totals[base + s]!;
      if (typeof v === 'bigint' && typeof t === 'bigint') this.totals[base + s] = t + v;
      else this.totals[base + s] = Number(t) + Number(v);
    }
  }

  private addSection(sec: Section, key: Cell, count: number): void {
    const out = this.vector;
    if (sec.kind === 'histogram' || sec.kind === 'categories') {
      out[sec.offset + Number(key)]! += count;
    } else if (sec.kind === 'quantiles') {
      for (const j of pathNodes(sec.leaves, Number(key), this.path)) out[sec.offset + j]! += count;
    } else {
      const counters = itemCounters(sec, String(key));
      for (let j = 0; j < counters.length; j++) out[sec.offset + counters[j]!]! += count;
    }
  }
}
