/** Rows of the PostgreSQL store: BIGINT columns as numbers, bytea as Buffers, jobs and rounds as records. */
import pg from 'pg';

export { jobFromRow, roundFromRow, type Row } from '../store-rows.js';

/** BIGINT (times in ms, counts) parsed to a number; a value beyond 2^53 would lose digits, so it is refused. */
function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`the PostgreSQL store read the BIGINT ${text}, beyond what a JavaScript number holds exactly`);
  return n;
}

/**
 * The pool's own type parsers: BIGINT to number, everything else as pg parses it. Given per pool (not through
 * pg.types.setTypeParser) so other users of pg in the process are unaffected.
 */
export const POOL_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseBigint
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export const toBytea = (v: Float64Array | Uint8Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

export function fromBytea(b: Buffer): Float64Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float64Array(copy.buffer);
}

/** Metrics are stored as JSON, where a non-finite number becomes null and comes back as NaN (as in SQLite). */
export const metricsJson = (metrics: Record<string, number>) =>
  JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
