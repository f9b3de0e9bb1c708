/** Rows of the PostgreSQL store: BIGINT columns as numbers, bytea as Buffers, jobs and rounds as records. */
import pg from 'pg';
import type { JobRecord, JobStatus, RoundRecord } from '../store.js';

export type Row = Record<string, unknown>;

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

export const jobFromRow = (r: Row): JobRecord => ({
  id: r.id as string,
  name: r.name as string,
  specJson: r.spec_json as string,
  status: r.status as JobStatus,
  roundsCompleted: r.rounds_completed as number,
  roundsTotal: r.rounds_total as number,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  error: r.error as string,
  contextJson: r.context_json as string,
  ...(r.owner ? { owner: r.owner as string } : {}),
});

/** Metrics are stored as JSON, where a non-finite number becomes null and comes back as NaN (as in SQLite). */
export const metricsJson = (metrics: Record<string, number>) =>
  JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));

export const roundFromRow = (r: Row): RoundRecord => ({
  jobId: r.job_id as string,
  round: r.round as number,
  stage: r.stage as RoundRecord['stage'],
  attempt: r.attempt as number,
  status: r.status as RoundRecord['status'],
  contributors: r.contributors as number,
  dropped: JSON.parse(r.dropped_json as string) as string[],
  metrics: JSON.parse(r.metrics_json as string, (_k, v) => (v === null ? Number.NaN : v)) as Record<string, number>,
  seconds: r.seconds as number,
  error: r.error as string,
  finishedAt: r.finished_at as number,
});
