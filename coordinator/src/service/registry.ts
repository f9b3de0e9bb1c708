import { EventEmitter } from 'node:events';
import type { ParticipantSession } from './participant-session.js';

/** The participants connected now, one live session each; a reconnect replaces the old session. */
export class SessionRegistry extends EventEmitter {
  private readonly sessions = new Map<string, ParticipantSession>();

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

  connected(): ParticipantSession[] {
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
