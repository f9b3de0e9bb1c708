import type { ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';

/** What an upload says to its participant: the grant of a slot, and the cancel when the slot is taken back. */
export interface UploadLink {
  grant(): Promise<void>;
  revoke(reason: string): void;
}

/** The link of `task`'s upload on `session`'s stream. */
export function uploadLink(session: ParticipantSession, task: TaskKey): UploadLink {
  return {
    grant: () => session.send({ grant: { task } }),
    revoke: (reason) => void session.send({ cancel: { task, reason } }).catch(() => undefined),
  };
}

/** The message of a slot taken back for idleness; it names the limit. */
export function idleReason(idleMs: number): string {
  return (
    `no chunk for ${idleMs / 1000} s after the upload was granted: the upload slot was taken back ` +
    '(limit uploadIdleSeconds), and this contribution fails for the round'
  );
}
