// Participants' refusals on their owners' terms, kept in the job's stored context (the analyst sees job.refusals).
import type { Store } from '../store/store.js';
import { parseContext, type JobContext } from './job-context.js';

/**
 * Adds `found` (participant id to reason) as refusals of `stage` round `round` to the job's stored context, says each
 * through `publish`, and returns the context as saved; undefined, with nothing stored, when `found` is empty.
 */
export async function noteJobRefusals(
  store: Pick<Store, 'getJob' | 'updateJob'>,
  jobId: string,
  where: { stage: string; round: number },
  found: ReadonlyMap<string, string>,
  publish: (message: string) => void,
): Promise<JobContext | undefined> {
  if (!found.size) return undefined;
  const stored = parseContext((await store.getJob(jobId))?.contextJson ?? '');
  const refusals = [...(stored.refusals ?? [])];
  for (const [participantId, reason] of found) {
    refusals.push({ participantId, stage: where.stage, round: where.round, reason });
    publish(`participant ${participantId} refused ${where.stage} round ${where.round}: ${reason}`);
  }
  const context = { ...stored, refusals };
  await store.updateJob(jobId, { contextJson: JSON.stringify(context) });
  return context;
}
