// A spec's submission stamp: the fresh nonce and time the analyst's client signs into each job it submits.
import { JobSpecError } from './job-spec-fields.js';

/** Which submission of a spec this is: a node runs a signed spec under one job id only, so each submission differs. */
export interface Submission {
  /** At least 16 characters, fresh per submission (the analyst's client writes 32 random hex digits). */
  nonce: string;
  /** When the client signed it (ISO 8601). */
  at: string;
}

/** The spec field that carries it (every kind of job spec accepts it). */
export const SUBMISSION_FIELD = 'submission';

/** Validates a spec's `submission` field (absent: undefined); throws JobSpecError naming the field. */
export function parseSubmission(v: unknown): Submission | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new JobSpecError('submission', `must be an object with fields nonce, at; got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'nonce' && k !== 'at')
      throw new JobSpecError(`submission.${k}`, 'unknown field; known fields: nonce, at');
  const { nonce, at } = o;
  if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 128)
    throw new JobSpecError(
      'submission.nonce',
      `must be a string of 16 to 128 characters, got ${JSON.stringify(nonce)}`,
    );
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
    throw new JobSpecError('submission.at', `must be an ISO 8601 time, got ${JSON.stringify(at)}`);
  return { nonce, at };
}
