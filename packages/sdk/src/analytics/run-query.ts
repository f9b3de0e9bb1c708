import type { QueryResult } from '@tessera/analytics';
import type { AnalystClient, JobView } from '../analyst.js';

export interface QueryRequest {
  sql: string;
  bounds?: Record<string, [number, number]>;
  domains?: Record<string, string[]>;
  bins?: Record<string, number[]>;
  minCount?: number;
  privacy?: { mode: 'none' | 'distributed' | 'central' | 'local'; epsilon?: number; delta?: number };
  minParticipants?: number;
  roundTimeoutSeconds?: number;
  waitForParticipantsSeconds?: number;
}

export type QueryJobResult = QueryResult & { privacy: { epsilon: number | null; delta: number | null; mode: string; noiseMultiplier?: number } };

/** Runs an aggregate query over the participants' data (one secure-aggregation round) and returns the decoded result. */
export async function runQuery(client: AnalystClient, q: QueryRequest, onEvent?: (job: JobView, message: string) => void): Promise<{ job: JobView; result: QueryJobResult }> {
  const submitted = await client.submit({ kind: 'query', ...q });
  const job = await client.watch(submitted.id, onEvent);
  if (job.status !== 'completed' || !job.result) throw new Error(`the query job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  return { job, result: job.result as QueryJobResult };
}
