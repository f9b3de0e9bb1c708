// Submits a vertical job, watches it, and returns what the analyst receives: held-out metrics and the guest's model.
import type { AnalystClient, JobView } from '../analyst.js';

/** Held-out metrics of a vertical model, measured by the guest on the shared customers it held out. */
export interface VerticalMetrics {
  auc: number;
  accuracy: number;
  logLoss: number;
  trainRows: number;
  testRows: number;
}

/** A completed vertical job's result as the coordinator stores it. */
export interface VerticalJobResult {
  vertical: {
    model: 'vertical-logistic' | 'secureboost';
    /** Customers both parties hold (both learn it from the alignment). */
    overlap: number;
    federated: VerticalMetrics;
    guest: string;
    hosts: string[];
    /** Sealed bytes the coordinator relayed between the parties. */
    relayedBytes: number;
    seconds: number;
  };
  /** The guest's part of the model: its own weights or splits; a host split only as (host, opaque id). */
  guestModel: unknown;
}

/**
 * Runs a vertical job (a spec of kind "vertical": parties, model, ...) and resolves with its result, or rejects
 * with the job's error (a party's refusal names the reason). `onEvent` sees the job's progress lines.
 */
export async function runVertical(
  client: AnalystClient,
  spec: object,
  onEvent?: (job: JobView, message: string) => void,
): Promise<{ job: JobView; result: VerticalJobResult }> {
  const submitted = await client.submit({ ...spec, kind: 'vertical' });
  const job = await client.watch(submitted.id, onEvent);
  const result = job.result as VerticalJobResult | undefined;
  if (job.status !== 'completed' || !result?.vertical)
    throw new Error(`the vertical job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  return { job, result };
}

/** A completed vertical score job's result: the guest keeps the scores; the analyst sees their count and spread. */
export interface VerticalScoreResult {
  verticalScore: {
    /** The vertical job whose model scored. */
    model: string;
    scored: number;
    meanScore: number;
    /** Customers per score bin of width 0.1, from [0, 0.1) to [0.9, 1]. */
    histogram: number[];
    guest: string;
    hosts: string[];
    relayedBytes: number;
    seconds: number;
  };
}

/**
 * Scores the customers the parties of vertical job `spec.model` share in the data sets the spec names (kind
 * "vertical-score"); the guest keeps each score, the analyst receives the summary.
 */
export async function runVerticalScore(
  client: AnalystClient,
  spec: object,
  onEvent?: (job: JobView, message: string) => void,
): Promise<{ job: JobView; result: VerticalScoreResult }> {
  const submitted = await client.submit({ ...spec, kind: 'vertical-score' });
  const job = await client.watch(submitted.id, onEvent);
  const result = job.result as VerticalScoreResult | undefined;
  if (job.status !== 'completed' || !result?.verticalScore)
    throw new Error(`the vertical score job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  return { job, result };
}
