/**
 * POST /jobs/:id/cancel: the analyst cancels their job as the gRPC CancelJob call does: the runner here (or, through
 * the linked replicas, the one that runs it) stops it; a job no process runs is marked cancelled in the store.
 */
import { cancelForAnalyst, isFinished } from '@tessera/coordinator';
import { ConsoleError } from '../../http/console-error.js';
import type { CoordinatorConsoleContext } from '../console-context.js';
import { requireOwnJob } from './own-job.js';

export function registerJobCancel({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.post('/jobs/:id/cancel', async (request, reply) => {
    const { job } = await requireOwnJob(c, coordinator, request);
    if (isFinished(job.status)) throw new ConsoleError('BAD_REQUEST', `job ${job.id} is already ${job.status}`);
    await cancelForAnalyst(coordinator.store, (id, why) => coordinator.cancelJob(id, why), job.id);
    return reply.redirect(`/jobs/${encodeURIComponent(job.id)}`, 303);
  });
}
