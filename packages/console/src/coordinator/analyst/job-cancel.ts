/**
 * POST /jobs/:id/cancel: the analyst cancels their job as the gRPC CancelJob call does: the runner here (or, through
 * the linked replicas, the one that runs it) stops it; a job no process runs is marked cancelled in the store.
 */
import { isFinished } from '@tessera/coordinator';
import { ConsoleError } from '../../http/console-error.js';
import type { CoordinatorConsoleContext } from '../console-context.js';
import { requireOwnJob } from './own-job.js';

const REASON = 'cancelled by the analyst';

export function registerJobCancel({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.post('/jobs/:id/cancel', async (request, reply) => {
    const { job } = await requireOwnJob(c, coordinator, request);
    if (isFinished(job.status)) throw new ConsoleError('BAD_REQUEST', `job ${job.id} is already ${job.status}`);
    if (!coordinator.cancelJob(job.id, REASON)) {
      // No runner here: read again so that a job that finished meanwhile keeps its outcome.
      const now = await coordinator.store.getJob(job.id);
      if (now && !isFinished(now.status))
        await coordinator.store.updateJob(job.id, { status: 'cancelled', error: REASON });
    }
    return reply.redirect(`/jobs/${encodeURIComponent(job.id)}`, 303);
  });
}
