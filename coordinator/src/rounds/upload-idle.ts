import { IdleDeadline } from './idle-deadline.js';
import { idleReason, type UploadLink } from './upload-link.js';

/**
 * A granted upload's idle deadline: when no chunk comes within `idleMs`, the upload ends (giving its slot back), the
 * participant is told why on its link, and the round's listener hears the same reason, in that order.
 */
export class UploadIdle {
  private readonly deadline: IdleDeadline;
  private expired: (reason: string) => void = () => undefined;

  constructor(idleMs: number, link: UploadLink, end: () => void) {
    this.deadline = new IdleDeadline(idleMs, () => {
      const reason = idleReason(idleMs);
      end();
      link.revoke(reason);
      this.expired(reason);
    });
  }

  /** Called with the reason when the slot is taken back for idleness. */
  onIdle(listener: (reason: string) => void): void {
    this.expired = listener;
  }

  /** (Re)starts the countdown: at the grant and at each chunk. */
  touch(): void {
    this.deadline.touch();
  }

  stop(): void {
    this.deadline.stop();
  }
}
