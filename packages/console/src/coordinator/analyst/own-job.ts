/**
 * An analyst's own job, or the refusal: every analyst route reads its job through here, so that another analyst's job
 * is refused (403) and an unknown id is not found (404) the same way on every page, stream and download.
 */
import type { Coordinator, JobRecord } from '@tessera/coordinator';
import type { FastifyRequest } from 'fastify';
import { ConsoleError } from '../../http/console-error.js';
import type { Session } from '../../http/sessions.js';
import type { ConsoleApp } from '../../http/console-app.js';

/** The job `id` of the session's analyst; throws NOT_FOUND for no such job, FORBIDDEN for another analyst's. */
export async function ownJob(coordinator: Coordinator, session: Session, id: string): Promise<JobRecord> {
  const job = await coordinator.store.getJob(id);
  if (!job) throw new ConsoleError('NOT_FOUND', `there is no job ${id} at this coordinator: see /jobs for yours`);
  if (job.owner !== session.principal.id)
    throw new ConsoleError('FORBIDDEN', `job ${id} is not yours: an analyst sees only the jobs they submitted`);
  return job;
}

/** The analyst's session and their job named by the route's :id parameter. */
export async function requireOwnJob(
  c: ConsoleApp,
  coordinator: Coordinator,
  request: FastifyRequest,
): Promise<{ session: Session; job: JobRecord }> {
  const session = c.require(request, 'analyst');
  const job = await ownJob(coordinator, session, (request.params as { id: string }).id);
  return { session, job };
}

/** The job's kind as its spec says (train, query, score, overlap, vertical...); train when the spec names none. */
export function kindOf(job: JobRecord): string {
  try {
    const kind = (JSON.parse(job.specJson) as { kind?: unknown }).kind;
    return typeof kind === 'string' && kind ? kind : 'train';
  } catch {
    return 'unknown';
  }
}

/** "3 / 10": the round under way while the job runs, else the rounds completed, of the rounds planned. */
export function roundCounter(job: JobRecord): string {
  const i = job.status === 'running' ? Math.min(job.roundsCompleted + 1, job.roundsTotal) : job.roundsCompleted;
  return `${i} / ${job.roundsTotal}`;
}
