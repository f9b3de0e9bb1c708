import { EventEmitter } from 'node:events';
import type { ParticipantSession } from './participant-session.js';

/** A connected participant as the gate sees it: who, and when its session last read its status from the store. */
export interface GatedSession {
  readonly participantId: string;
  /** Date.now() when the session began reading the participant's record (at its hello). */
  readonly statusReadAt: number;
}

/** Decides which connected participants must be cut off now (the operator revoked or disabled them). */
export interface SessionGate {
  /** The participants among these that may not stay connected, each with the reason to give it. */
  cutOffs(sessions: readonly GatedSession[]): Map<string, string>;
}

/** The participants connected now, one live session each; a reconnect replaces the old session. */
export class SessionRegistry extends EventEmitter {
  private readonly sessions = new Map<string, ParticipantSession>();
  private gate: SessionGate | undefined;

  constructor() {
    super();
    // Every open console page of the participants and every job waiting for participants listens for 'change'.
    this.setMaxListeners(0);
  }

  /** From now on, every look at the connected participants first cuts off those the gate refuses. */
  setGate(gate: SessionGate): void {
    this.gate = gate;
  }

  /** Cuts off the sessions the gate refuses (their open tasks count as dropouts). */
  enforce(): void {
    if (!this.gate || this.sessions.size === 0) return;
    for (const [id, reason] of this.gate.cutOffs([...this.sessions.values()])) this.sessions.get(id)?.cutOff(reason);
  }

  add(session: ParticipantSession): void {
    const previous = this.sessions.get(session.participantId);
    this.sessions.set(session.participantId, session);
    if (previous && previous !== session) previous.close();
    session.onClose(() => {
      if (this.sessions.get(session.participantId) === session) {
        this.sessions.delete(session.participantId);
        this.emit('change');
      }
    });
    this.emit('change');
  }

  get(id: string): ParticipantSession | undefined {
    return this.sessions.get(id);
  }

  /** The participants connected and welcomed; every stage picks from these, so each call checks the gate first. */
  connected(): ParticipantSession[] {
    this.enforce();
    return [...this.sessions.values()].filter((s) => s.ready);
  }

  /** The welcomed sessions, without consulting the gate first: for counts that must cut nobody off (metrics). */
  readySessions(): ParticipantSession[] {
    return [...this.sessions.values()].filter((s) => s.ready);
  }

  serving(dataset: string): ParticipantSession[] {
    return this.connected()
      .filter((s) => s.datasets.includes(dataset))
      .sort((a, b) => a.participantId.localeCompare(b.participantId));
  }

  /** Resolves when at least `count` participants serve `dataset`, or with false after `timeoutMs` or when aborted. */
  waitFor(dataset: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.serving(dataset).length >= count) finish(true);
        else if (signal?.aborted) finish(false);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.off('change', check);
        signal?.removeEventListener('abort', check);
        resolve(ok);
      };
      this.on('change', check);
      signal?.addEventListener('abort', check);
      check();
    });
  }

  closeAll(): void {
    for (const s of [...this.sessions.values()]) s.close();
  }
}
