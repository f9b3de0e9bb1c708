import type { Logger } from '@tessera/transport';
import { participantRefusal } from '../enrolment/enrolment-rules.js';
import type { ParticipantRecord, Store } from '../store/store.js';
import type { GatedSession, SessionGate, SessionRegistry } from './registry.js';

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
 * - and every ACCESS_CHECK_MS (and once at start), keeping the participants not active as read then: whenever a stage
 *   picks its participants the registry asks this gate, which answers from that reading, so a stage picks no
 *   participant refused more than ACCESS_CHECK_MS ago, and the periodic check cuts one off in the middle of a stage.
 * The read is one indexed query for the participants that are not active. A session whose own hello read its record
 * after the gate's last reading is judged by that fresher read (a participant enabled again is not cut off by a
 * reading from before). A session cut off gets a fatal rejection naming the reason and is closed; its open task
 * counts as a dropout, so running jobs go on with the others.
 */
export class ParticipantAccess implements SessionGate {
  private timer: NodeJS.Timeout | undefined;
  private lastSeenWrite = 0;
  /** The participants not active as last read, by id, and when that read began (Date.now()). */
  private inactive = new Map<string, ParticipantRecord>();
  private readAt = Number.NEGATIVE_INFINITY;
  /** The periodic check under way, if any (one at a time). */
  private checking: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly registry: SessionRegistry,
    private readonly logger: Logger,
    private readonly checkEveryMs = ACCESS_CHECK_MS,
  ) {}

  cutOffs(sessions: readonly GatedSession[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of sessions) {
      const p = this.inactive.get(s.participantId);
      if (!p || s.statusReadAt > this.readAt) continue;
      const reason = participantRefusal(p);
      if (reason) out.set(p.id, reason);
    }
    return out;
  }

  /** Reads the participants that are not active from the store. */
  async refresh(): Promise<void> {
    const readAt = Date.now();
    const inactive = await this.store.inactiveParticipants();
    if (readAt < this.readAt) return; // an older read that finished late
    this.inactive = new Map(inactive.map((p) => [p.id, p]));
    this.readAt = readAt;
  }

  /** Reads the store once, then starts the periodic check (the timer does not keep the process alive). */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.refresh();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => {
        this.checking = undefined;
      });
    }, this.checkEveryMs);
    this.timer.unref();
  }

  /** Cuts off the participants no longer allowed, and now and then notes the others as seen. */
  async check(now = Date.now()): Promise<void> {
    try {
      await this.refresh();
      this.registry.enforce();
      if (now - this.lastSeenWrite >= LAST_SEEN_MS) {
        this.lastSeenWrite = now;
        await this.store.markParticipantsSeen(
          this.registry.connected().map((s) => s.participantId),
          now,
        );
      }
    } catch (e) {
      // A busy or closing database must not take the coordinator down: the next check tries again.
      this.logger.warn({ reason: (e as Error).message }, `participant access check failed: ${(e as Error).message}`);
    }
  }

  /** Stops the periodic check; resolves once a check under way has ended (before the store closes). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }
}
