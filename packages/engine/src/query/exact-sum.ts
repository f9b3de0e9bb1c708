/** DuckDB's integer types that sum(…) accumulates exactly (as a HUGEINT), with their ranges. */
const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  TINYINT: [-(2n ** 7n), 2n ** 7n - 1n],
  SMALLINT: [-(2n ** 15n), 2n ** 15n - 1n],
  INTEGER: [-(2n ** 31n), 2n ** 31n - 1n],
  BIGINT: [-(2n ** 63n), 2n ** 63n - 1n],
  UTINYINT: [0n, 2n ** 8n - 1n],
  USMALLINT: [0n, 2n ** 16n - 1n],
  UINTEGER: [0n, 2n ** 32n - 1n],
  UBIGINT: [0n, 2n ** 64n - 1n],
};

/** DECIMAL(p,s) stored in at most 64 bits (p <= 18): its products and sums stay exact (see exactSumSql). */
const DECIMAL_TYPE = /^DECIMAL\((\d+),\s*(\d+)\)$/i;

/** A term's largest magnitude in the column's integer units, so that 2^64 terms sum below a HUGEINT's 2^127. */
const TERM_LIMIT = 2n ** 62n;
/** A decimal square's largest magnitude in its integer units: DuckDB multiplies DECIMAL(18) in 64 bits. */
const DECIMAL_SQUARE_LIMIT = 10n ** 18n;

interface ExactType {
  /** Powers of ten in the column's integer unit (a DECIMAL's scale; 0 for integers). */
  scale: number;
  /** The bound as an exact SQL constant of the column's type, or undefined when the type cannot hold it exactly. */
  literal(b: number): string | undefined;
  /** The bound in the column's integer units (exact when literal gives a constant). */
  units(b: number): bigint;
  /** The SQL of a clamped value's square (exact in its type). */
  square(v: string): string;
}

function exactType(type: string): ExactType | undefined {
  const t = type.trim().toUpperCase();
  const range = INTEGER_RANGES[t];
  if (range) {
    return {
      scale: 0,
      literal: (b) =>
        Number.isInteger(b) && BigInt(b) >= range[0] && BigInt(b) <= range[1]
          ? `CAST(${BigInt(b)} AS ${t})`
          : undefined,
      units: (b) => BigInt(b),
      square: (v) => `(CAST(${v} AS BIGINT) * CAST(${v} AS BIGINT))`,
    };
  }
  const m = DECIMAL_TYPE.exec(t);
  if (!m) return undefined;
  const p = Number(m[1]);
  const s = Number(m[2]);
  if (p > 18 || s > p) return undefined;
  // A double is a whole number of hundredths (s = 2) exactly when it is a whole number of quarters: b * 10^s is an
  // integer exactly when b * 2^s is (b is a binary fraction), and it is that integer times 5^s.
  const units = (b: number): bigint => BigInt(b * 2 ** s) * 5n ** BigInt(s);
  return {
    scale: s,
    literal: (b) => {
      if (!Number.isInteger(b * 2 ** s)) return undefined;
      const u = units(b);
      // toFixed(s) is exact here: b has at most s decimal places.
      return (u < 0n ? -u : u) < 10n ** BigInt(p) ? `CAST('${b.toFixed(s)}' AS DECIMAL(${p},${s}))` : undefined;
    },
    units,
    square: (v) => `(${v} * ${v})`,
  };
}

/**
 * A clamped sum (kind 'sum') or sum of squares ('sq') of an integer or DECIMAL(p <= 18) column computed in the
 * column's own type, which DuckDB sums exactly (a HUGEINT, or a DECIMAL(38) over one): the total is an integer count
 * of 10^-scale units, read back once. Clamping compares in the column's type against the bounds as constants of that
 * type; this equals the JavaScript path's clamp of the cell's double (rounding to a double is monotone and leaves the
 * bounds as they are), so only bounds the type holds exactly qualify, and only while each term stays far from
 * overflow. NULL stays NULL (a CASE, not least/greatest, which would turn NULL into a bound). Otherwise undefined:
 * the caller falls back to the fixed-point sum of the cell's double (fixed-point.ts).
 */
export function exactSumSql(
  columnSql: () => string,
  type: string,
  [lo, hi]: readonly [number, number],
  kind: 'sum' | 'sq',
): { sql: string; scale: number } | undefined {
  const t = exactType(type);
  if (!t) return undefined;
  const l = t.literal(lo);
  const h = t.literal(hi);
  if (l === undefined || h === undefined) return undefined;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const bound = abs(t.units(Math.abs(lo) > Math.abs(hi) ? lo : hi));
  const sum = kind === 'sum' && bound < TERM_LIMIT;
  const limit = t.scale > 0 || DECIMAL_TYPE.test(type.trim()) ? DECIMAL_SQUARE_LIMIT : TERM_LIMIT;
  if (!sum && !(kind === 'sq' && bound * bound < limit)) return undefined;
  const value = columnSql();
  const clamped = `(CASE WHEN ${value} < ${l} THEN ${l} WHEN ${value} > ${h} THEN ${h} ELSE ${value} END)`;
  return sum ? { sql: `sum(${clamped})`, scale: t.scale } : { sql: `sum(${t.square(clamped)})`, scale: 2 * t.scale };
}

/**
 * The clamp of an integer or DECIMAL(p <= 18) column to [lo, hi] in the column's own type, for bounds the type holds
 * exactly (else undefined): its cast to DOUBLE equals the JavaScript path's clamp of the cell's double (see
 * exactSumSql), NULL staying NULL. `values` is how many distinct values the clamped column can take.
 */
export function exactClamp(
  type: string,
  [lo, hi]: readonly [number, number],
): { sql: (value: string) => string; values: bigint } | undefined {
  const t = exactType(type);
  const l = t?.literal(lo);
  const h = t?.literal(hi);
  if (!t || l === undefined || h === undefined || hi < lo) return undefined;
  return {
    sql: (v) => `(CASE WHEN ${v} < ${l} THEN ${l} WHEN ${v} > ${h} THEN ${h} ELSE ${v} END)`,
    values: t.units(hi) - t.units(lo) + 1n,
  };
}
