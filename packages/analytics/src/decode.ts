import type { RawTable } from '@tessera/data';
import { evaluateLocally } from './evaluate.js';
import type { QueryPlan, Section } from './plan.js';
import { decodeHeavyHitters } from './sketch.js';
import { consistentTree, quantilesFromBins } from './tree.js';

export type ResultRow = Record<string, unknown> & {
  stddev: Record<string, number>;
  ci95: Record<string, [number, number]>;
};

export interface QueryResult {
  query: string;
  /** Group columns + one value per aggregate (by alias or canonical name); stddev / ci95 per scalar aggregate. */
  rows: ResultRow[];
  /** Groups suppressed under minCount (or with a non-positive noisy count). */
  suppressed: number;
  histograms?: Record<string, { edges?: number[]; categories?: string[]; counts: number[] }>;
  quantiles?: Record<string, { q: number; value: number }[]>;
  topK?: Record<string, { item: string; count: number }[]>;
}

const Z95 = 1.96;

/**
 * Standard deviation of a value from independent noise on its inputs: sqrt(sum (d value / d input)^2 sigma_input^2).
 */
function deltaStd(terms: Array<[number, number]>): number {
  let v = 0;
  for (const [grad, sigma] of terms) v += grad * grad * sigma * sigma;
  return Math.sqrt(v);
}

/**
 * Turns the (summed, possibly noisy) vector into result rows. `noiseStd`: the noise standard deviation per
 * coordinate in raw units (a number for all coordinates; 0 without DP). Counts and sums get that deviation;
 * AVG = S/N and VARIANCE = Q/N - (S/N)^2 get theirs by the delta method (first order, independent noise).
 * ci95 = value +- 1.96 stddev. With minCount > 0, groups whose noisy row count is below it are suppressed.
 * Without GROUP BY the single row is always reported (unless suppressed); with GROUP BY, groups whose row count
 * is exactly 0 without noise are left out (as SQL does), and groups with a non-positive noisy count are suppressed.
 */
export function decodeResult(
  plan: QueryPlan,
  sum: Float64Array,
  noiseStd: number[] | Float64Array | number,
): QueryResult {
  if (sum.length !== plan.length)
    throw new RangeError(`decodeResult: the vector has ${sum.length} entries, the plan ${plan.length}`);
  if (typeof noiseStd !== 'number' && noiseStd.length !== plan.length) {
    throw new RangeError(`decodeResult: noiseStd has ${noiseStd.length} entries, the plan ${plan.length}`);
  }
  // sum and noiseStd have plan.length entries (checked above), and planQuery lays every group slot and section
  // inside that length: the reads of sum and noiseStd below are in range.
  const sd = (i: number): number => (typeof noiseStd === 'number' ? noiseStd : noiseStd[i]!);
  const { slots, domains, columns, count } = plan.groups;
  const width = slots.length;
  const result: QueryResult = { query: plan.query.sql, rows: [], suppressed: 0 };
  const sectionValues = plan.sections.map((s) => decodeSection(plan, s, sum, sd, result));

  for (let g = 0; g < count; g++) {
    const base = g * width;
    const rowsCount = sum[base]!;
    const noisy = sd(base) > 0;
    if (columns.length > 0 && rowsCount === 0 && !noisy) continue;
    if ((plan.minCount > 0 && rowsCount < plan.minCount) || (columns.length > 0 && noisy && rowsCount <= 0)) {
      result.suppressed++;
      continue;
    }
    const row = {} as Record<string, unknown>;
    const stddev: Record<string, number> = {};
    const ci95: Record<string, [number, number]> = {};
    let rest = g;
    const groupValues: Record<string, string> = {};
    // One declared domain per group column; g < count = the product of the domain sizes.
    for (let i = columns.length - 1; i >= 0; i--) {
      const domain = domains[i]!;
      groupValues[columns[i]!] = domain[rest % domain.length]!;
      rest = Math.floor(rest / domain.length);
    }
    for (const c of columns)
      if (!plan.outputs.some((o) => o.kind === 'group' && o.column === c)) row[c] = groupValues[c];
    for (const o of plan.outputs) {
      let value: number | null;
      let std: number;
      switch (o.kind) {
        case 'group':
          row[o.name] = groupValues[o.column];
          continue;
        case 'section': {
          const section = sectionValues[o.section]!; // one decoded value per plan section
          row[o.name] = section.value;
          if (section.std !== undefined) stddev[o.name] = section.std;
          continue;
        }
        case 'count':
        case 'sum':
          value = sum[base + o.slot]!;
          std = sd(base + o.slot);
          break;
        case 'avg': {
          const n = sum[base + o.n]!;
          const s = sum[base + o.sum]!;
          if (!(n > 0)) {
            value = null;
            std = NaN;
            break;
          }
          value = s / n;
          std = deltaStd([
            [1 / n, sd(base + o.sum)],
            [-s / (n * n), sd(base + o.n)],
          ]);
          break;
        }
        case 'variance': {
          const n = sum[base + o.n]!;
          const s = sum[base + o.sum]!;
          const q = sum[base + o.sq]!;
          if (!(n > 0)) {
            value = null;
            std = NaN;
            break;
          }
          const mean = s / n;
          value = Math.max(0, q / n - mean * mean);
          std = deltaStd([
            [1 / n, sd(base + o.sq)],
            [(-2 * s) / (n * n), sd(base + o.sum)],
            [-q / (n * n) + (2 * s * s) / (n * n * n), sd(base + o.n)],
          ]);
          break;
        }
      }
      row[o.name] = value;
      if (value !== null) {
        stddev[o.name] = std;
        ci95[o.name] = [value - Z95 * std, value + Z95 * std];
      }
    }
    row.stddev = stddev;
    row.ci95 = ci95;
    result.rows.push(row as ResultRow);
  }
  return result;
}

function sectionMaxStd(s: Section, sd: (i: number) => number): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m = Math.max(m, sd(s.offset + i));
  return m;
}

function decodeSection(
  plan: QueryPlan,
  s: Section,
  sum: Float64Array,
  sd: (i: number) => number,
  result: QueryResult,
): { value: unknown; std?: number } {
  const part = sum.subarray(s.offset, s.offset + s.length);
  switch (s.kind) {
    case 'histogram': {
      const counts = Array.from(part);
      (result.histograms ??= {})[s.name] = { edges: [...s.edges], counts };
      return { value: counts, std: sectionMaxStd(s, sd) };
    }
    case 'categories': {
      const counts = Array.from(part);
      (result.histograms ??= {})[s.name] = { categories: [...s.categories], counts };
      return { value: counts, std: sectionMaxStd(s, sd) };
    }
    case 'quantiles': {
      const tree = consistentTree(part, s.leaves);
      const leaves = tree.subarray(s.leaves - 1, s.leaves - 1 + s.edges.length - 1);
      const qs = quantilesFromBins(s.edges, leaves);
      (result.quantiles ??= {})[s.name] = qs;
      return { value: qs };
    }
    case 'topk': {
      let rows = 0;
      for (let g = 0; g < plan.groups.count; g++) rows += sum[g * plan.groups.slots.length]!;
      const threshold = Math.max(plan.topKThreshold ?? (plan.minCount > 0 ? plan.minCount : 0.01 * rows), 1e-9);
      const cap = Math.min(4096, Math.max(2 * s.k, Math.ceil((2 * Math.max(rows, 0)) / threshold) + 16));
      const items = decodeHeavyHitters(s, part, threshold, cap).slice(0, s.k);
      (result.topK ??= {})[s.name] = items;
      return { value: items, std: sectionMaxStd(s, sd) };
    }
  }
}

/** Reference: the same query over the pooled tables (the local vectors summed, decoded without noise). */
export function runPooled(plan: QueryPlan, tables: RawTable[]): QueryResult {
  const total = new Float64Array(plan.length);
  for (const t of tables) {
    const v = evaluateLocally(plan, t); // plan.length entries, like total
    for (let i = 0; i < v.length; i++) total[i]! += v[i]!;
  }
  return decodeResult(plan, total, 0);
}
