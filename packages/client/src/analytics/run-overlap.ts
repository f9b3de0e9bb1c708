import type { AnalystClient, JobView } from '../analyst.js';

export interface OverlapRequest {
  dataset: string;
  /** The identifier column both participants' data sets carry. */
  column: string;
  /** The two participants (ids). */
  participants: [string, string];
  roundTimeoutSeconds?: number;
  waitForParticipantsSeconds?: number;
  /** The noise on the released count: discrete Laplace of scale 1/epsilon (default epsilon 1). */
  privacy?: { epsilon: number };
}

/** Audience overlap: how many identifiers two participants share, by ECDH-PSI between them (relayed, blinded). */
export async function runOverlap(client: AnalystClient, r: OverlapRequest): Promise<{ job: JobView; overlap: number }> {
  const submitted = await client.submit({ kind: 'overlap', ...r });
  const job = await client.watch(submitted.id);
  const overlap = (job.result as { overlap?: unknown } | undefined)?.overlap;
  if (job.status !== 'completed' || overlap === undefined)
    throw new Error(`the overlap job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0)
    throw new Error(`the overlap job ${job.id} answered a malformed overlap ${JSON.stringify(overlap)}`);
  return { job, overlap };
}
