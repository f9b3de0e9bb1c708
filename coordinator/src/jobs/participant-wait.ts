// Waits for a job's participants, says why each missing one is missing, and fails fast when nobody serves its data set.
import type { SessionRegistry } from '../service/registry.js';
import type { ParticipantRecord } from '../store/store.js';
import type { JobEvents } from './job-events.js';

/**
 * How long a job waits, with nodes connected but none serving its data set, before it fails with the fix: long
 * enough for nodes started together with the job to connect, short enough that a typo fails in under 5 s.
 */
export const UNSERVED_GRACE_MS = 3_000;

export interface ParticipantWait {
  dataset: string;
  minParticipants: number;
  waitForParticipantsSeconds: number;
  signal?: AbortSignal;
  /** Where the job's watchers learn who is missing ("waiting for participants (1/2 serving customers): ..."). */
  events: JobEvents;
  jobId: string;
  /** The enrolled participants, to name those not connected (the analyst's participants listing shows them too). */
  enrolled?: () => Promise<readonly Pick<ParticipantRecord, 'id' | 'name' | 'status'>[]>;
  /** Test hook: the fail-fast grace in milliseconds. */
  graceMs?: number;
}

/** Thrown when the wait ends without enough participants; its message names the fix. */
export class ParticipantShortfall extends Error {}

/** At most this many participants are named in one waiting line; the rest are counted. */
const NAMED = 5;

/** Why the participants that are connected do not count for `dataset`, and how many are still missing. */
export function waitingStatus(
  registry: SessionRegistry,
  dataset: string,
  minParticipants: number,
  enrolled: readonly Pick<ParticipantRecord, 'id' | 'name' | 'status'>[] = [],
): string {
  const connected = registry.connected();
  const online = new Set(connected.map((s) => s.participantId));
  const names = new Map(enrolled.map((p) => [p.id, p.name]));
  const who = (id: string) => (names.get(id) ? `${names.get(id)} (${id})` : id);
  const serving = connected.filter((s) => s.datasets.includes(dataset)).length;
  const reasons = connected
    .filter((s) => !s.datasets.includes(dataset))
    .sort((a, b) => a.participantId.localeCompare(b.participantId))
    .map(
      (s) =>
        `${who(s.participantId)} serves ${s.datasets.length ? s.datasets.join(', ') : 'no data set'}, not ${dataset}`,
    );
  const away = enrolled
    .filter((p) => !online.has(p.id))
    .map((p) => `${who(p.id)} is ${p.status === 'active' ? 'not connected' : p.status}`);
  reasons.push(...away);
  // Nodes connected without the data set fill no place; enrolled ones away might, once they connect.
  const missing = Math.max(0, minParticipants - serving);
  if (enrolled.length && missing > away.length)
    reasons.push(`${missing - away.length} more to enrol (tessera coordinator enroll NAME)`);
  else if (!enrolled.length && missing > 0) reasons.push(`${missing} more not connected`);
  const shown = reasons.length > NAMED ? [...reasons.slice(0, NAMED), `${reasons.length - NAMED} more`] : reasons;
  return `waiting for participants (${serving}/${minParticipants} serving ${dataset})${
    shown.length ? `: ${shown.join('; ')}` : ''
  }`;
}

/** The fix for too few participants serving `dataset`, for the message the analyst reads. */
export function shortfallFix(dataset: string, serving: number): string {
  const start = `start a node serving \`${dataset}\``;
  return serving > 0 ? `${start}, or set minParticipants to ${serving}` : `${start}, or set minParticipants`;
}

/**
 * Resolves once `minParticipants` connected participants serve the data set. While it waits it publishes who is
 * missing and why (on every connect or disconnect). It throws a ParticipantShortfall naming the fix after the wait, or
 * after UNSERVED_GRACE_MS if nodes are connected but none of them serves the data set. Returns false when aborted.
 */
export async function waitForParticipants(registry: SessionRegistry, w: ParticipantWait): Promise<boolean> {
  const { dataset, minParticipants } = w;
  if (registry.serving(dataset).length >= minParticipants) return true;
  const graceMs = w.graceMs ?? UNSERVED_GRACE_MS;
  let lastStatus = '';
  let ended = false;
  // The enrolled list as last read from the store; read again at each connect or disconnect (a node enrolled while
  // the job waits connects next), then reported once it is in.
  let enrolled: readonly Pick<ParticipantRecord, 'id' | 'name' | 'status'>[] = [];
  const readEnrolled = async () => {
    try {
      enrolled = (await w.enrolled?.()) ?? [];
    } catch {
      // The waiting line names fewer nodes; the wait itself does not depend on it.
    }
  };
  const report = () => {
    if (ended) return;
    const status = waitingStatus(registry, dataset, minParticipants, enrolled);
    if (status !== lastStatus) w.events.publishStanding(w.jobId, status);
    lastStatus = status;
  };
  await readEnrolled();
  const unserved = () => registry.connected().length > 0 && registry.serving(dataset).length === 0;
  return new Promise<boolean>((resolve, reject) => {
    const finish = (outcome: boolean | Error) => {
      ended = true;
      clearTimeout(timer);
      clearTimeout(grace);
      w.events.clearStanding(w.jobId);
      registry.off('change', check);
      w.signal?.removeEventListener('abort', check);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const check = () => {
      if (ended) return;
      if (registry.serving(dataset).length >= minParticipants) finish(true);
      else if (w.signal?.aborted) finish(false);
      else {
        report();
        void readEnrolled().then(report);
      }
    };
    const timer = setTimeout(() => {
      const have = registry.serving(dataset).length;
      finish(
        new ParticipantShortfall(
          `only ${have} participant(s) serving data set "${dataset}" connected within ` +
            `${w.waitForParticipantsSeconds} s; the job needs minParticipants = ${minParticipants}: ` +
            `${shortfallFix(dataset, have)}`,
        ),
      );
    }, w.waitForParticipantsSeconds * 1000);
    const grace = setTimeout(() => {
      if (!unserved()) return;
      const served = [...new Set(registry.connected().flatMap((s) => s.datasets))].sort();
      finish(
        new ParticipantShortfall(
          `no connected participant serves data set "${dataset}" (they serve: ${served.join(', ') || 'nothing'}): ` +
            `${shortfallFix(dataset, 0)}, or submit the job on a data set that is served`,
        ),
      );
    }, graceMs);
    registry.on('change', check);
    w.signal?.addEventListener('abort', check);
    check();
  });
}
