// `--types infer` of `tessera participant data import`: which text columns hold numbers, judged as the JavaScript
// path judges cells (sql/cell-sql.ts), so that a number in the CSV is the same number in the Parquet file.
import type { LocalEngine } from '../engine.js';
import { sourceError } from '../engine-error.js';
import { quoteIdentifier } from '../identifiers.js';
import { missingSql, numberSql, trimmedSql } from '../sql/cell-sql.js';

/** A column of the converted file: its name, its type there and the SQL expression that gives its values. */
export interface ConvertedColumn {
  name: string;
  type: string;
  sql: string;
}

/** Rows read first to rule out the columns that hold text. */
const SAMPLE_ROWS = 65_536;

/** Whole numbers of up to 18 digits fit a BIGINT exactly. */
const INTEGER_RE = "'[+-]?\\d{1,18}'";

/**
 * The served columns of data set `name` as they are (`text`), or with each text column whose every non-missing cell
 * is a number turned into a BIGINT (all whole numbers of up to 18 digits) or a DOUBLE (`infer`). Missing cells (empty,
 * NA, N/A, NULL, NaN) of such a column become NULL; columns with text or with no value at all stay text. One scan of
 * the columns whose first rows are all numbers.
 */
export async function convertedColumns(
  engine: LocalEngine,
  name: string,
  types: 'text' | 'infer',
): Promise<ConvertedColumn[]> {
  const d = engine.describe(name);
  const columns = d.columns.map((c) => ({ ...c, quoted: engine.column(name, c.name) }));
  const asIs = (c: (typeof columns)[number]): ConvertedColumn => ({
    name: c.name,
    type: c.type,
    sql: `${c.quoted} AS ${quoteIdentifier(c.name)}`,
  });
  const text = columns.flatMap((c, i) => (c.type === 'VARCHAR' ? [{ ...c, i }] : []));
  if (types === 'text' || !text.length) return columns.map(asIs);
  // a sample first: columns with text in their first rows need no full scan (the regular expressions are the cost)
  const relation = engine.relation(name);
  const sample = await cellCounts(engine, d.source, `(SELECT * FROM ${relation} LIMIT ${SAMPLE_ROWS})`, text);
  const candidates = text.filter(({ i }) => Number(sample[`text_${i}`]) === 0);
  const counts = candidates.length
    ? { ...sample, ...(await cellCounts(engine, d.source, relation, candidates)) }
    : sample;
  return columns.map((c, i) => {
    if (c.type !== 'VARCHAR' || Number(counts[`present_${i}`]) === 0 || Number(counts[`text_${i}`]) > 0) return asIs(c);
    const as = quoteIdentifier(c.name);
    if (Number(counts[`fraction_${i}`]) === 0) {
      return {
        name: c.name,
        type: 'BIGINT',
        // missing cells do not match the pattern (testing the pattern is faster than testing for missing)
        sql:
          `CASE WHEN regexp_full_match(${trimmedSql(c.quoted)}, ${INTEGER_RE}) ` +
          `THEN CAST(${trimmedSql(c.quoted)} AS BIGINT) END AS ${as}`,
      };
    }
    return { name: c.name, type: 'DOUBLE', sql: `${numberSql(c.quoted)} AS ${as}` };
  });
}

/** Per column i: its non-missing cells (present_i), those that are not numbers (text_i) or not whole (fraction_i). */
async function cellCounts(
  engine: LocalEngine,
  source: string,
  relation: string,
  columns: readonly { quoted: string; i: number }[],
): Promise<Record<string, unknown>> {
  const parts = columns.flatMap(({ quoted, i }) => {
    const present = `NOT ${missingSql(quoted)}`;
    return [
      `count(*) FILTER (WHERE ${present}) AS "present_${i}"`,
      `count(*) FILTER (WHERE ${present} AND ${numberSql(quoted)} IS NULL) AS "text_${i}"`,
      `count(*) FILTER (WHERE ${present} AND NOT regexp_full_match(${trimmedSql(quoted)}, ${INTEGER_RE})) ` +
        `AS "fraction_${i}"`,
    ];
  });
  try {
    const r = await engine.connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${relation}`);
    return r.getRowObjects()[0]!;
  } catch (err) {
    throw sourceError(source, err);
  }
}
