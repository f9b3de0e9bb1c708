// The column summaries profiling needs (packages/data column-summaries.ts) computed by the engine: a few grouped
// queries instead of every cell read out as text, with the same result as ColumnSummariser fed the batches' rows.
import { binaryLabel, numberValue, type ColumnSummary } from '@tessera/data';
import type { LocalEngine } from './engine.js';
import { sourceError } from './engine-error.js';
import { isNumericType, numberValueSql, trimmedSql } from './sql/cell-sql.js';

/**
 * Rows read first to tell the columns with many distinct values ("wide": more than the limit within these rows)
 * from the rest. A wide column's first `limit` distinct values all occur in these rows, so they come from here; its
 * other facts are gathered per class of cell (empty, number, text, binary label), never per value, which keeps
 * memory bounded whatever the column holds.
 */
export const PREFIX_ROWS = 65_536;

/** The binary label spellings (packages/data cell-values.ts binaryLabel), lower case; checked against it below. */
const BINARY_SPELLINGS = ['yes', 'y', 'true', '1', '1.0', 'positive', 'no', 'n', 'false', '0', '0.0', 'negative'];
for (const s of BINARY_SPELLINGS) {
  if (binaryLabel(s) === undefined) throw new Error(`profile-summary.ts: "${s}" is not a binary label any more`);
}

/** One group of a column's cells: all holding one trimmed value (or one class of cell), and its first cell. */
interface CellGroup {
  empty: boolean;
  number: boolean;
  binary: boolean;
  count: number;
  first: number;
  cell: string;
}

export interface ProfileSummaryResult {
  rows: number;
  summaries: Map<string, ColumnSummary>;
}

/**
 * ColumnSummary of every listed column of data set `name` (all of them by default), keeping at most `limit` distinct
 * values a column; rows are numbered in the data set's scan order (row_number() OVER (), as `batches` reads them).
 * Two scans: the first PREFIX_ROWS rows, then every row grouped by (column, value or class).
 */
export async function summariseForProfile(
  engine: LocalEngine,
  name: string,
  limit: number,
  columns?: readonly string[],
): Promise<ProfileSummaryResult> {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number, got ${limit}`);
  const d = engine.describe(name);
  const names = columns ? [...columns] : d.columns.map((c) => c.name);
  const cols = names.map((c) => {
    const own = d.columns.find((x) => x.name === c)!.type; // engine.column checks the name
    // Cells of other types are judged on their text, as `batches` reads them: as VARCHAR, its fast trim applies.
    const text = !isNumericType(own) && own.toUpperCase() !== 'VARCHAR';
    const quoted = text ? `CAST(${engine.column(name, c)} AS VARCHAR)` : engine.column(name, c);
    const type = text ? 'VARCHAR' : own;
    return { name: c, quoted, type, trimmed: trimmedSql(quoted, type) };
  });
  const summaries = new Map<string, ColumnSummary>();
  if (!cols.length) return { rows: d.rows, summaries };
  const relation = engine.relation(name);
  const run = async (sql: string) => {
    try {
      return (await engine.connection.runAndReadAll(sql)).getRows();
    } catch (err) {
      throw sourceError(d.source, err, 'cannot profile the data');
    }
  };
  const indices = `[${cols.map((_, i) => i).join(', ')}]`;
  const value = (c: (typeof cols)[number]) => `coalesce(${c.trimmed}, '')`;

  // The first limit + 1 distinct non-empty values of each column within the prefix, in order of first appearance.
  const prefix = await run(
    `SELECT i, v, min(p) AS f FROM (SELECT p, unnest(${indices}) AS i, unnest([${cols.map((_, i) => `v${i}`)}]) AS v ` +
      `FROM (SELECT row_number() OVER () - 1 AS p, ${cols.map((c, i) => `${value(c)} AS v${i}`)} ` +
      `FROM (SELECT * FROM ${relation} LIMIT ${PREFIX_ROWS}))) WHERE v <> '' GROUP BY i, v ` +
      `QUALIFY row_number() OVER (PARTITION BY i ORDER BY f) <= ${limit + 1} ORDER BY i, f`,
  );
  const seen = cols.map(() => [] as [string, number][]);
  for (const [i, v, f] of prefix) seen[Number(i)]!.push([String(v), Number(f)]);
  const wide = seen.map((values) => values.length > limit);

  // Every row, grouped by column and trimmed value (a wide column: by class of cell), with each group's first cell.
  const key = (c: (typeof cols)[number], i: number) => {
    if (!wide[i]) return value(c);
    const t = c.trimmed;
    const number = `CASE WHEN ${numberValueSql(c.quoted, c.type)} IS NOT NULL THEN 'n' ELSE 't' END`;
    const spellings = BINARY_SPELLINGS.map((s) => `'${s}'`).join(', ');
    const binary = `CASE WHEN strlen(${t}) <= 8 AND lower(${t}) IN (${spellings}) THEN 'b' ELSE '' END`;
    return `CASE WHEN ${c.quoted} IS NULL OR ${t} = '' THEN 'e' ELSE ${number} || ${binary} END`;
  };
  const groups = await run(
    `SELECT i, k, count(*) AS n, min(p) AS f, arg_min(r, p) AS cell FROM (SELECT p, unnest(${indices}) AS i, ` +
      `unnest([${cols.map((_, i) => `k${i}`)}]) AS k, unnest([${cols.map((_, i) => `r${i}`)}]) AS r ` +
      `FROM (SELECT row_number() OVER () - 1 AS p, ` +
      cols.map((c, i) => `${key(c, i)} AS k${i}, coalesce(CAST(${c.quoted} AS VARCHAR), '') AS r${i}`).join(', ') +
      ` FROM ${relation})) GROUP BY i, k`,
  );
  const byColumn = cols.map(() => [] as (CellGroup & { value: string })[]);
  for (const [i, k, n, f, cell] of groups) {
    const c = Number(i);
    const v = String(k);
    const group = { count: Number(n), first: Number(f), cell: String(cell) };
    if (wide[c]) {
      const empty = v === 'e';
      byColumn[c]!.push({ ...group, value: '', empty, number: v.startsWith('n'), binary: v.endsWith('b') });
    } else {
      const empty = v === '';
      const number = !empty && numberValue(v) !== undefined;
      byColumn[c]!.push({ ...group, value: v, empty, number, binary: binaryLabel(v) !== undefined });
    }
  }
  cols.forEach((c, i) => {
    const all = byColumn[i]!;
    const values = wide[i]
      ? seen[i]!
      : all
          .filter((g) => !g.empty)
          .sort((a, b) => a.first - b.first)
          .map((g): [string, number] => [g.value, g.first]);
    summaries.set(c.name, summaryOf(all, values, limit));
  });
  return { rows: d.rows, summaries };
}

/** A column's summary from its groups and its distinct values (with first rows, in order of first appearance). */
function summaryOf(groups: CellGroup[], values: [string, number][], limit: number): ColumnSummary {
  const firstOf = (keep: (g: CellGroup) => boolean): CellGroup | undefined => {
    let best: CellGroup | undefined;
    for (const g of groups) if (keep(g) && (!best || g.first < best.first)) best = g;
    return best;
  };
  const text = firstOf((g) => !g.empty && !g.number);
  const nonBinary = firstOf((g) => !g.binary);
  const nonNumber = firstOf((g) => !g.number);
  let numbers = 0;
  let texts = 0;
  for (const g of groups) {
    if (g.number) numbers += g.count;
    else if (!g.empty) texts += g.count;
  }
  return {
    numbers,
    texts,
    firstText: text?.first ?? -1,
    firstTextCell: text?.cell ?? '',
    firstEmpty: firstOf((g) => g.empty)?.first ?? -1,
    distinct: new Map(values.slice(0, limit)),
    overflow: values.length > limit,
    firstNonBinary: nonBinary?.first ?? -1,
    firstNonBinaryCell: nonBinary?.cell ?? '',
    firstNonNumber: nonNumber?.first ?? -1,
    firstNonNumberCell: nonNumber?.cell ?? '',
  };
}
