import type { DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * A finite number as a DuckDB DOUBLE constant: JavaScript's shortest round-trip text, parsed by DuckDB's correctly
 * rounded string-to-double cast, so the constant is the same double. (A bare literal such as 0.1 would be a DECIMAL
 * in DuckDB, and a long one would not convert back exactly.) Only numbers from a checked plan come here.
 */
export function doubleSql(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`a SQL constant must be a finite number, got ${x}`);
  return `CAST('${String(x)}' AS DOUBLE)`;
}

/** A whole number (an index, a stride, a cap) as an integer literal. */
export function integerSql(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`a SQL integer must be a safe integer, got ${n}`);
  return String(n);
}

type Bound = { kind: 'text'; value: string } | { kind: 'double'; value: number };

/**
 * The bound parameters of one statement: each analyst-given value (a WHERE literal) becomes $n and is bound with its
 * type, never written into the SQL text.
 */
export class SqlParams {
  private readonly values: Bound[] = [];

  /** A placeholder for a string value (VARCHAR). */
  text(value: string): string {
    this.values.push({ kind: 'text', value });
    return `CAST($${this.values.length} AS VARCHAR)`;
  }

  /** A placeholder for a number (DOUBLE). */
  double(value: number): string {
    this.values.push({ kind: 'double', value });
    return `CAST($${this.values.length} AS DOUBLE)`;
  }

  get size(): number {
    return this.values.length;
  }

  bindTo(statement: DuckDBPreparedStatement): void {
    this.values.forEach((v, i) => {
      if (v.kind === 'text') statement.bindVarchar(i + 1, v.value);
      else statement.bindDouble(i + 1, v.value);
    });
  }
}
