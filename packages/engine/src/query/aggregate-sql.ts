import type { QueryPlan } from '@tessera/analytics';
import { isExactNumericType, isNumericType, missingSql, numberSql } from '../sql/cell-sql.js';
import { binSql, clampSql, finiteClampSql, isUniform, uniformBinSql, uniformGuessSql } from './bin-sql.js';
import type { ColumnRef } from './column-refs.js';
import { exactClamp, exactSumSql } from './exact-sum.js';
import { fixedPointShift, sumSql } from './fixed-point.js';
import { keySql, type QueryFrame } from './query-frame.js';
import type { TempTables } from './temp-tables.js';

/** How to read the aggregation's result rows: which columns hold what. */
export interface AggregateLayout {
  /** Section keys (one column each) then, with sections, one GROUPING() flag per section; else the group index. */
  sections: number;
  /** Fixed-point shift of each slot (undefined for counts and for DOUBLE fallbacks). */
  shifts: (number | undefined)[];
  /** Decimal scale of each slot: its total counts 10^-scale units (exact sums of DECIMAL columns; else 0). */
  scales: number[];
  /**
   * Per section: true when its key is the clamped value itself rather than its bin (binned sections of unequal bins,
   * more than CASE_BINS of them, whose nested CASE would take DuckDB longer to plan than to run; binOf bins each
   * distinct value). Equal-width bins are found by division (uniformBinSql), unequal ones by binSql's search.
   */
  valueKeys: boolean[];
}

/** The most bins binned in SQL by binSql's nested CASE (depth 6); more are binned per distinct value in JavaScript. */
export const CASE_BINS = 64;

/**
 * The most distinct clamped values for which a lone histogram or quantile section of an integer or decimal column is
 * counted per value first and binned per value (see aggregateSql): a hash table this small costs less than binning
 * every row.
 */
export const VALUE_GROUPS = 2n ** 17n;

/**
 * The one statement that computes a plan's vector in a single scan: every slot of every group, and every section's
 * counts per key (histogram and quantile leaf bins, category indices, top-k items). Without sections it groups by
 * the group columns' trimmed texts and joins the result to the declared domains for the group index; with sections
 * (which planQuery allows only without GROUP BY) it groups by GROUPING SETS, one set per section key, and the first
 * set's rows (all contributing rows, NULL key included) also carry the slots.
 * `filters` are further row conditions (the customer unit's). Result columns: keys, GROUPING flags, then one per slot.
 */
export async function aggregateSql(
  plan: QueryPlan,
  frame: QueryFrame,
  temp: TempTables,
  filters: string[] = [],
  joins: string[] = [],
): Promise<{ sql: string; layout: AggregateLayout }> {
  const col = (name: string): ColumnRef => frame.columns.get(name)!;
  const cells = new Map<string, { number?: string; missing?: string; raw?: string }>();
  const groupKeys = frame.keys.map((_, i) => `t${i}`);
  const inner: string[] = groupKeys.length ? frame.groupColumns.map((c, i) => `${c.quoted} AS t${i}`) : ['0 AS g'];
  const numberOf = (name: string): string => {
    const entry = cells.get(name) ?? {};
    if (!entry.number) {
      entry.number = `n${cells.size}_${inner.length}`;
      inner.push(`${numberSql(col(name).quoted, col(name).type)} AS ${entry.number}`);
    }
    cells.set(name, entry);
    return entry.number;
  };
  const rawOf = (name: string): string => {
    const entry = cells.get(name) ?? {};
    if (!entry.raw) {
      entry.raw = `v${cells.size}_${inner.length}`;
      inner.push(`${col(name).quoted} AS ${entry.raw}`);
    }
    cells.set(name, entry);
    return entry.raw;
  };
  const missingOf = (name: string): string => {
    const entry = cells.get(name) ?? {};
    if (!entry.missing) {
      entry.missing = `m${cells.size}_${inner.length}`;
      inner.push(`${missingSql(col(name).quoted, col(name).type)} AS ${entry.missing}`);
    }
    cells.set(name, entry);
    return entry.missing;
  };
  const isFloat = (name: string): boolean => isNumericType(col(name).type) && !isExactNumericType(col(name).type);
  const clampedCells = new Map<string, string>();
  // The clamped number of a cell: for FLOAT and DOUBLE columns one inner column (finiteClampSql, shared by the
  // column's count, sum and square), else clampSql of its number.
  const clampedOf = (name: string, bounds: readonly [number, number]): string => {
    if (!isFloat(name)) return clampSql(numberOf(name), bounds);
    const key = JSON.stringify([name, bounds]);
    let cell = clampedCells.get(key);
    if (!cell) {
      cell = `c${clampedCells.size}_${inner.length}`;
      inner.push(`${finiteClampSql(`CAST(${col(name).quoted} AS DOUBLE)`, bounds)} AS ${cell}`);
      clampedCells.set(key, cell);
    }
    return cell;
  };
  /** What COUNT(column) counts: a non-NULL integer or decimal, or (a clamped or plain) number. */
  const countedOf = (name: string): string => {
    if (isExactNumericType(col(name).type)) return rawOf(name);
    const summed = plan.groups.slots.find((s) => (s.kind === 'sum' || s.kind === 'sq') && s.column === name);
    // A FLOAT or DOUBLE cell's clamped value is NULL exactly when its number is.
    return isFloat(name) && summed ? clampedOf(name, summed.bounds!) : numberOf(name);
  };

  const aggregates: string[] = ['count(*)'];
  const shifts: (number | undefined)[] = [undefined];
  const scales: number[] = [0];
  for (const slot of plan.groups.slots.slice(1)) {
    const c = slot.column!;
    switch (slot.kind) {
      case 'rows':
        aggregates.push('count(*)');
        shifts.push(undefined);
        scales.push(0);
        break;
      case 'nonnull':
        aggregates.push(`count_if(NOT ${missingOf(c)})`);
        shifts.push(undefined);
        scales.push(0);
        break;
      case 'n':
        aggregates.push(`count(${countedOf(c)})`);
        shifts.push(undefined);
        scales.push(0);
        break;
      case 'sum':
      case 'sq': {
        const exact = exactSumSql(() => rawOf(c), col(c).type, slot.bounds!, slot.kind);
        if (exact) {
          aggregates.push(exact.sql);
          shifts.push(0);
          scales.push(exact.scale);
          break;
        }
        const bound = Math.max(Math.abs(slot.bounds![0]), Math.abs(slot.bounds![1]));
        const clamped = clampedOf(c, slot.bounds!);
        const shift = fixedPointShift(slot.kind === 'sum' ? bound : bound * bound);
        aggregates.push(sumSql(slot.kind === 'sum' ? clamped : `(${clamped} * ${clamped})`, shift));
        shifts.push(shift);
        scales.push(0);
        break;
      }
    }
  }

  // A lone histogram or quantile section of an integer or decimal column with few possible clamped values: rows are
  // grouped by the value clamped in the column's type (e0), and each distinct value is cast to DOUBLE (h0) and binned.
  const lone = plan.sections.length === 1 ? plan.sections[0]! : undefined;
  const byValue =
    lone && (lone.kind === 'histogram' || lone.kind === 'quantiles')
      ? exactClamp(col(lone.column).type, lone.clamp)
      : undefined;
  const valueGrouped = byValue !== undefined && byValue.values <= VALUE_GROUPS;
  if (valueGrouped) inner.push(`${byValue.sql(rawOf(lone!.column))} AS e0`);

  const sectionJoins: string[] = [];
  const clamped: string[] = [];
  const guesses: string[] = [];
  const keys: string[] = [];
  for (const [i, sec] of plan.sections.entries()) {
    const c = col(sec.column);
    if (sec.kind === 'histogram' || sec.kind === 'quantiles') {
      clamped.push(valueGrouped ? `CAST(e${i} AS DOUBLE) AS h${i}` : `${clampedOf(sec.column, sec.clamp)} AS h${i}`);
      if (isUniform(sec.edges)) {
        guesses.push(`${uniformGuessSql(`h${i}`, sec.edges)} AS b${i}`);
        keys.push(`${uniformBinSql(`h${i}`, `b${i}`, sec.edges)} AS k${i}`);
      } else {
        keys.push(`${sec.edges.length - 1 <= CASE_BINS ? binSql(`h${i}`, sec.edges) : `h${i}`} AS k${i}`);
      }
    } else if (sec.kind === 'categories') {
      const table = await temp.valueIndex(sec.categories);
      sectionJoins.push(`LEFT JOIN ${table} AS c${i} ON c${i}.v = ${keySql(c)}`);
      inner.push(`c${i}.i AS x${i}`);
      keys.push(`x${i} AS k${i}`);
    } else {
      inner.push(`CASE WHEN ${missingSql(c.quoted, c.type)} THEN NULL ELSE ${keySql(c)} END AS x${i}`);
      keys.push(`x${i} AS k${i}`);
    }
  }

  const where = [frame.where, ...filters].join(' AND ');
  const from = [frame.from, ...joins, ...sectionJoins].join(' ');
  const cellsSql = `SELECT ${inner.join(', ')} FROM ${from} WHERE ${where}`;
  let sql: string;
  if (plan.sections.length === 0) {
    if (groupKeys.length === 0) {
      sql = `SELECT ${aggregates.join(', ')} FROM (${cellsSql}) AS q`;
    } else {
      // Grouped by the group columns' cells as they are, then each distinct cell trimmed and joined to its declared
      // domain, and the totals of cells with the same group added: trimming and the domain join see one row per
      // distinct cell (out-of-domain ones drop out there), not one per data row. Every slot is a sum, so this adds up.
      const slots = aggregates.map((a, j) => `${a} AS s${j}`);
      const grouped = `SELECT ${groupKeys.join(', ')}, ${slots.join(', ')} FROM (${cellsSql}) AS q GROUP BY ALL`;
      const domains = frame.groupColumns.map((c, i) => {
        const key = keySql({ quoted: `a.t${i}`, type: c.type });
        return `JOIN ${frame.domains[i]} AS d${i} ON d${i}.v = ${key}`;
      });
      const totals = aggregates.map((_, j) => `sum(a.s${j})`).join(', ');
      sql = `SELECT ${frame.group} AS g, ${totals} FROM (${grouped}) AS a ${domains.join(' ')} GROUP BY g`;
    }
  } else {
    const names = plan.sections.map((_, i) => `k${i}`);
    // Value-grouped: the slots per distinct e0 (every slot is a sum, so they add up per bin below).
    const slots = aggregates.map((a, j) => `${a} AS s${j}`).join(', ');
    const rows = valueGrouped ? `SELECT e0, ${slots} FROM (${cellsSql}) AS v GROUP BY e0` : cellsSql;
    const withClamped = clamped.length ? `SELECT *, ${clamped.join(', ')} FROM (${rows}) AS q1` : rows;
    const withGuesses = guesses.length ? `SELECT *, ${guesses.join(', ')} FROM (${withClamped}) AS q2` : withClamped;
    const keyed = `SELECT *, ${keys.join(', ')} FROM (${withGuesses}) AS q0`;
    // One section: a plain GROUP BY (GROUPING SETS costs more), its flag always 0.
    const flags = names.length === 1 ? ['0'] : names.map((k) => `GROUPING(${k})`);
    const groupBy = names.length === 1 ? 'k0' : `GROUPING SETS (${names.map((k) => `(${k})`).join(', ')})`;
    const totals = valueGrouped ? aggregates.map((_, j) => `sum(s${j})`) : aggregates;
    const select = `SELECT ${names.join(', ')}, ${flags.join(', ')}, ${totals.join(', ')}`;
    sql = `${select} FROM (${keyed}) AS q GROUP BY ${groupBy}`;
  }
  const valueKeys = plan.sections.map(
    (sec) =>
      (sec.kind === 'histogram' || sec.kind === 'quantiles') &&
      !isUniform(sec.edges) &&
      sec.edges.length - 1 > CASE_BINS,
  );
  return { sql, layout: { sections: plan.sections.length, shifts, scales, valueKeys } };
}
