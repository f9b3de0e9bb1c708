// The two queries of the "data" part, as Tessera plans them and as the equivalent plain DuckDB SQL, and what each
// answer says (per-region counts and means, histogram bin counts) so that the paths can be checked against each other.
import { parseQuery, planQuery, type QueryPlan } from '@tessera/analytics';
import { quoteLiteral, REGIONS } from '@tessera/engine';

export type DataQuery = 'group' | 'histogram';

/** Bounds of order_value for AVG: wide enough that no synthetic order is clamped (the largest are about 2,000). */
export const GROUP_BOUNDS: [number, number] = [0, 5000];
/** Bounds of order_value for HISTOGRAM: 32 equal bins of 31.25 (larger orders land in the last bin). */
export const HISTOGRAM_BOUNDS: [number, number] = [0, 1000];
export const HISTOGRAM_BINS = 32;

export const QUERY_SQL: Record<DataQuery, string> = {
  group: 'SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region',
  histogram: 'SELECT HISTOGRAM(order_value) FROM orders',
};

const regions = REGIONS.map((r) => r.name);

export function queryPlan(q: DataQuery): QueryPlan {
  const bounds = { order_value: q === 'group' ? GROUP_BOUNDS : HISTOGRAM_BOUNDS };
  return planQuery(parseQuery(QUERY_SQL[q]), { bounds, domains: { region: regions } });
}

/** The plain SQL DuckDB runs for `q` over `from` (read_parquet(...) or read_csv(...)). */
export function plainSql(q: DataQuery, from: string): string {
  if (q === 'group') return `SELECT region, count(*), avg(order_value) FROM ${from} GROUP BY region`;
  const [lo, hi] = HISTOGRAM_BOUNDS;
  const width = (hi - lo) / HISTOGRAM_BINS;
  return (
    `SELECT least(greatest(floor((order_value - ${lo}) / ${width}), 0), ${HISTOGRAM_BINS - 1})::INTEGER AS bin, ` +
    `count(*) FROM ${from} WHERE order_value IS NOT NULL GROUP BY bin`
  );
}

export const readParquetSql = (file: string) => `read_parquet(${quoteLiteral(file)})`;
/** CSV as DuckDB reads it by default: types sniffed (order_value DOUBLE, region VARCHAR on these files). */
export const readCsvSql = (file: string) => `read_csv(${quoteLiteral(file)})`;

/** What an answer says: per region [count, mean], or per bin its count; the same shape from every path. */
export interface QueryAnswer {
  groups?: Record<string, [number, number]>;
  bins?: number[];
}

/** The answer in an evaluateLocally-shaped vector of `plan`. */
export function answerOfVector(q: DataQuery, plan: QueryPlan, v: Float64Array): QueryAnswer {
  if (q === 'histogram') {
    const s = plan.sections[0];
    if (!s) throw new Error('the histogram plan has no section');
    return { bins: Array.from(v.subarray(s.offset, s.offset + s.length)) };
  }
  const slots = plan.groups.slots;
  const n = slots.findIndex((x) => x.kind === 'n');
  const sum = slots.findIndex((x) => x.kind === 'sum');
  const groups: Record<string, [number, number]> = {};
  plan.groups.domains[0]?.forEach((region, g) => {
    const at = g * slots.length;
    groups[region] = [v[at] ?? Number.NaN, (v[at + sum] ?? Number.NaN) / (v[at + n] ?? Number.NaN)];
  });
  return { groups };
}

/** The answer in plain SQL's rows ([region, count, avg] or [bin, count]). */
export function answerOfRows(q: DataQuery, rows: unknown[][]): QueryAnswer {
  if (q === 'histogram') {
    const bins = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const [bin, count] of rows) bins[Number(bin)] = Number(count);
    return { bins };
  }
  const groups: Record<string, [number, number]> = {};
  for (const [region, count, avg] of rows) groups[String(region)] = [Number(count), Number(avg)];
  return { groups };
}

/** Counts equal and means within 1e-9 (relative): the test of the engine against the JavaScript path. */
export function sameAnswer(a: QueryAnswer, b: QueryAnswer): boolean {
  if (a.bins || b.bins) return JSON.stringify(a.bins) === JSON.stringify(b.bins);
  const keys = Object.keys(a.groups ?? {}).sort();
  if (JSON.stringify(keys) !== JSON.stringify(Object.keys(b.groups ?? {}).sort())) return false;
  return keys.every((k) => {
    const [ca, ma] = a.groups![k]!;
    const [cb, mb] = b.groups![k]!;
    return ca === cb && Math.abs(ma - mb) <= 1e-9 * Math.max(1, Math.abs(ma));
  });
}
