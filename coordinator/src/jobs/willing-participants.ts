// The participants a round asks: those serving the job's data set once enough do, less those that refused the job.
import type { ParticipantSession } from '../service/participant-session.js';
import type { SessionRegistry } from '../service/registry.js';
import type { Store } from '../store/store.js';
import type { JobContext } from './job-context.js';
import type { JobEvents } from './job-events.js';
import { waitForParticipants } from './participant-wait.js';

/** What the wait needs from a job: its spec's participant fields, its cancellation, events and store. */
export interface ParticipantNeed {
  registry: SessionRegistry;
  spec: { dataset: string; minParticipants: number; waitForParticipantsSeconds: number };
  signal: AbortSignal;
  events: JobEvents;
  jobId: string;
  store: Pick<Store, 'listParticipants'>;
}

/**
 * Waits (saying who is missing) until the spec's `minParticipants` nodes serve its data set, and returns their
 * sessions; throws when the job is cancelled while it waits.
 */
export async function awaitServing(n: ParticipantNeed): Promise<ParticipantSession[]> {
  const s = n.spec;
  const enough = await waitForParticipants(n.registry, {
    dataset: s.dataset,
    minParticipants: s.minParticipants,
    waitForParticipantsSeconds: s.waitForParticipantsSeconds,
    signal: n.signal,
    events: n.events,
    jobId: n.jobId,
    enrolled: () => n.store.listParticipants(),
  });
  if (!enough) throw new Error('cancelled while waiting for participants');
  return n.registry.serving(s.dataset);
}

/**
 * The participants serving the data set once minParticipants do, less those in `refusals` (they refused this job on
 * their owners' terms and are not asked again); throws, naming them, when too few are left.
 */
export async function willingParticipants(
  n: ParticipantNeed,
  refusals: JobContext['refusals'],
): Promise<ParticipantSession[]> {
  const serving = await awaitServing(n);
  const refused = new Map<string, string>();
  for (const r of refusals ?? []) if (!refused.has(r.participantId)) refused.set(r.participantId, r.reason);
  const willing = serving.filter((x) => !refused.has(x.participantId));
  const min = n.spec.minParticipants;
  if (willing.length < min) {
    const reasons = [...refused].map(([id, why]) => `${id}: ${why}`).join('; ');
    throw new Error(
      `${refused.size} participant(s) refused this job (${reasons}), ` +
        `and the ${willing.length} left are fewer than minParticipants = ${min}`,
    );
  }
  return willing;
}
