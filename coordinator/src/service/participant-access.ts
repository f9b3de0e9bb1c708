import { participantRefusal } from '../enrolment/enrolment-rules.js';
import type { Store } from '../store/store.js';
import type { SessionGate, SessionRegistry } from './registry.js';

/** How often the running coordinator re-reads participants' status: a revoked or disabled one is cut off within it. */
export const ACCESS_CHECK_MS = 1000;

/** How often "last seen" is written for the participants connected (it is also written at every hello). */
export const LAST_SEEN_MS = 15_000;

/**
 * Keeps the participants the operator revoked or disabled off a running coordinator.
 *
 * The operator's commands (`tessera coordinator participants revoke ID`) change the store from another process, and
 * work whether a coordinator runs or not, so nothing tells the running coordinator: it reads the store instead, which
 * is the one place the decision lives. It reads it
 * - at every hello (ParticipantSession refuses a participant that is not active),
 * - whenever a stage picks its participants (the registry asks this gate before it answers),
 * - and every ACCESS_CHECK_MS, to cut off a participant in the middle of a stage.
 * The read is one indexed query for the participants that are not active. A session cut off gets a fatal rejection
 * naming the reason and is closed; its open task counts as a dropout, so running jobs go on with the others.
 */
export class ParticipantAccess implements SessionGate {
  private timer: NodeJS.Timeout | undefined;
  private lastSeenWrite = 0;

  constructor(
    private readonly store: Store,
    private readonly registry: SessionRegistry,
    private readonly log: (line: string) => void,
    private readonly checkEveryMs = ACCESS_CHECK_MS,
  ) {}

  cutOffs(participantIds: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    if (participantIds.length === 0) return out;
    const asked = new Set(participantIds);
    for (const p of this.store.inactiveParticipants()) {
      const reason = participantRefusal(p);
      if (reason && asked.has(p.id)) out.set(p.id, reason);
    }
    return out;
  }

  /** Starts the periodic check (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  /** Cuts off the participants no longer allowed, and now and then notes the others as seen. */
  check(now = Date.now()): void {
    try {
      this.registry.enforce();
      if (now - this.lastSeenWrite >= LAST_SEEN_MS) {
        this.lastSeenWrite = now;
        this.store.markParticipantsSeen(
          this.registry.connected().map((s) => s.participantId),
          now,
        );
      }
    } catch (e) {
      // A busy or closing database must not take the coordinator down: the next check tries again.
      this.log(`participant access check failed: ${(e as Error).message}`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
