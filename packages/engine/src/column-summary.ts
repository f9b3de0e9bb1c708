import type { LocalEngine } from './engine.js';
import { sourceError } from './engine-error.js';
import { categorySql, missingSql, numberSql } from './sql/cell-sql.js';

/** A value of a column and how many rows hold it. */
export interface ValueCount {
  value: string;
  count: number;
}

/** What `tessera participant data check` shows of one column, computed in the engine without reading rows out. */
export interface ColumnSummary {
  name: string;
  /** The engine's type (VARCHAR for CSV, SQLite and PostgreSQL text; the file's own for Parquet). */
  type: string;
  rows: number;
  /** Cells that are missing as the JavaScript path counts them: NULL, or empty, NA, N/A, NULL or NaN when trimmed. */
  missing: number;
  /** True when there is at least one non-missing cell and every non-missing cell is a number (NUMBER grammar). */
  numeric: boolean;
  /** The smallest and largest number, for numeric columns. */
  min?: number;
  max?: number;
  /** The exact number of distinct trimmed values among the non-missing cells. */
  distinct: number;
  /** For columns that are not numeric, the most frequent trimmed values (ties by value), most frequent first. */
  values: ValueCount[];
}

export interface SummaryOptions {
  /** How many of the most frequent values to give for each column that is not numeric (default 5). */
  values?: number;
}

/**
 * Summarises every served column of data set `name`: one aggregate query over all columns, and one GROUP BY per
 * column that is not numeric for its most frequent values. Cells are judged exactly as the JavaScript path judges
 * them (sql/cell-sql.ts).
 */
export async function summariseColumns(
  engine: LocalEngine,
  name: string,
  opts: SummaryOptions = {},
): Promise<ColumnSummary[]> {
  const wanted = opts.values ?? 5;
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new RangeError(`values must be a whole number of at least 0, got ${wanted}`);
  }
  const d = engine.describe(name);
  const relation = engine.relation(name);
  const columns = d.columns.map((c) => ({ ...c, quoted: engine.column(name, c.name) }));
  const parts = ['count(*) AS "rows"'];
  columns.forEach((c, i) => {
    const missing = missingSql(c.quoted, c.type);
    const number = numberSql(c.quoted, c.type);
    parts.push(
      `count(*) FILTER (WHERE ${missing}) AS "missing_${i}"`,
      `count(*) FILTER (WHERE NOT ${missing} AND ${number} IS NULL) AS "text_${i}"`,
      `min(${number}) AS "min_${i}"`,
      `max(${number}) AS "max_${i}"`,
      `count(DISTINCT CASE WHEN NOT ${missing} THEN ${categorySql(c.quoted, c.type)} END) AS "distinct_${i}"`,
    );
  });
  const row = await query(engine, d.source, `SELECT ${parts.join(', ')} FROM ${relation}`);
  const at = (key: string) => row[0]![key];
  const rows = Number(at('rows'));
  const summaries: ColumnSummary[] = [];
  for (const [i, c] of columns.entries()) {
    const missing = Number(at(`missing_${i}`));
    const numeric = rows > missing && Number(at(`text_${i}`)) === 0;
    const summary: ColumnSummary = {
      name: c.name,
      type: c.type,
      rows,
      missing,
      numeric,
      distinct: Number(at(`distinct_${i}`)),
      values: [],
    };
    if (numeric) {
      summary.min = Number(at(`min_${i}`));
      summary.max = Number(at(`max_${i}`));
    } else if (wanted > 0 && rows > missing) {
      const value = categorySql(c.quoted, c.type);
      const top = await query(
        engine,
        d.source,
        `SELECT ${value} AS "value", count(*) AS "count" FROM ${relation} WHERE NOT ${missingSql(c.quoted, c.type)} ` +
          `GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${wanted}`,
      );
      summary.values = top.map((r) => ({ value: String(r.value), count: Number(r.count) }));
    }
    summaries.push(summary);
  }
  return summaries;
}

async function query(engine: LocalEngine, source: string, sql: string) {
  try {
    return (await engine.connection.runAndReadAll(sql)).getRowObjects();
  } catch (err) {
    throw sourceError(source, err, 'cannot summarise the data');
  }
}
