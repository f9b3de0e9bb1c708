// The JavaScript path's cell semantics (packages/data cell-values.ts, packages/analytics evaluate.ts) as DuckDB SQL
// expressions, so that the engine and the JavaScript path agree on every cell. Each function takes an already quoted
// column identifier (see identifiers.ts) and, for typed columns, its DuckDB type.

/** The characters String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
const JS_SPACE =
  ' \t\n\u000b\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a' +
  '\u2028\u2029\u202f\u205f\u3000\ufeff';
const SPACE_LITERAL = `'${JS_SPACE}'`;

/** packages/data's NUMBER grammar (cell-values.ts), for RE2: the whole trimmed cell must match. */
const NUMBER_RE = "'[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?'";

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;

/** DuckDB's integer and decimal types, whose values are always finite. */
const EXACT_NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL)\b/i;

/** True for DuckDB's integer and decimal types, whose values are always finite (never NaN). */
export function isExactNumericType(type: string): boolean {
  return EXACT_NUMERIC.test(type);
}

/** True for DuckDB types whose values are numbers (not text). */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type);
}

/**
 * Text that starts and ends with a printable ASCII character other than a space has nothing to trim. DuckDB's
 * trim(text, characters) is slow (about 1 µs a cell: it reads the character list for every row); this test sends
 * only the rest to it, so trimming costs a few percent of a scan instead of several times the scan.
 */
const UNTRIMMED_RE = "'[!-~](.*[!-~])?'";

/** The cell's text trimmed as JavaScript trims it (NULL stays NULL). */
export function trimmedSql(column: string, type = 'VARCHAR'): string {
  if (type.toUpperCase() !== 'VARCHAR') {
    // Numbers print without surrounding spaces; other types go through the full trim.
    const text = `CAST(${column} AS VARCHAR)`;
    return isNumericType(type) ? text : `trim(${text}, ${SPACE_LITERAL})`;
  }
  const trimmed = `trim(${column}, ${SPACE_LITERAL})`;
  return `(CASE WHEN regexp_full_match(${column}, ${UNTRIMMED_RE}) THEN ${column} ELSE ${trimmed} END)`;
}

/**
 * True when the cell is missing: NULL, or trimmed empty, NA, N/A, NULL or NaN in any case (evaluate.ts isMissing).
 * Those spellings have at most 4 bytes, so longer text skips lower().
 */
export function missingSql(column: string, type = 'VARCHAR'): string {
  if (isNumericType(type)) return `(${column} IS NULL OR isnan(CAST(${column} AS DOUBLE)))`;
  const t = trimmedSql(column, type);
  const spelled = `lower(${t}) IN ('', 'na', 'n/a', 'null', 'nan')`;
  return `(${column} IS NULL OR (CASE WHEN strlen(${t}) > 4 THEN FALSE ELSE ${spelled} END))`;
}

/**
 * The cell's number as a DOUBLE, or NULL when it is missing, not a number in the NUMBER grammar, or not finite
 * (evaluate.ts cellNumber).
 */
export function numberSql(column: string, type = 'VARCHAR'): string {
  if (isNumericType(type)) {
    const v = `CAST(${column} AS DOUBLE)`;
    // Integers and decimals are always finite (even a HUGEINT's largest value is far below a double's): no check.
    if (EXACT_NUMERIC.test(type)) return v;
    return `(CASE WHEN isfinite(${v}) THEN ${v} END)`;
  }
  const finite = (text: string) => {
    const v = `TRY_CAST(${text} AS DOUBLE)`;
    return `(CASE WHEN isfinite(${v}) THEN ${v} END)`;
  };
  if (type.toUpperCase() !== 'VARCHAR') {
    const t = trimmedSql(column, type);
    return `(CASE WHEN regexp_full_match(${t}, ${NUMBER_RE}) THEN ${finite(t)} END)`;
  }
  return textNumberSql(column, finite);
}

/**
 * The cell's number as packages/data's numberValue reads it (what WHERE compares): a DOUBLE, NULL when the trimmed
 * text is not in the NUMBER grammar, and +-Infinity for text such as 1e999, as JavaScript's Number gives it. Typed
 * columns: their finite values (a typed NaN or infinity prints as text outside the grammar).
 */
export function numberValueSql(column: string, type = 'VARCHAR'): string {
  if (isNumericType(type)) return numberSql(column, type);
  if (type.toUpperCase() !== 'VARCHAR') {
    const t = trimmedSql(column, type);
    return `(CASE WHEN regexp_full_match(${t}, ${NUMBER_RE}) THEN TRY_CAST(${t} AS DOUBLE) END)`;
  }
  return textNumberSql(column, (text) => `TRY_CAST(${text} AS DOUBLE)`);
}

/**
 * A text cell's number by `cast` when its trimmed text is in the NUMBER grammar, else NULL. The cell as it is comes
 * first (a match has no surrounding spaces, so it is its own trimmed text); a cell with nothing to trim that does not
 * match is no number; only the rest is trimmed (trim with a character list is slow, see UNTRIMMED_RE).
 */
function textNumberSql(column: string, cast: (text: string) => string): string {
  const trimmed = `trim(${column}, ${SPACE_LITERAL})`;
  return (
    `(CASE WHEN regexp_full_match(${column}, ${NUMBER_RE}) THEN ${cast(column)} ` +
    `WHEN regexp_full_match(${column}, ${UNTRIMMED_RE}) THEN NULL ` +
    `WHEN regexp_full_match(${trimmed}, ${NUMBER_RE}) THEN ${cast(trimmed)} END)`
  );
}

/** The category a cell holds: its trimmed text (NULL for a NULL cell). */
export function categorySql(column: string, type = 'VARCHAR'): string {
  return trimmedSql(column, type);
}
