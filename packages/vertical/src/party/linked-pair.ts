/**
 * Two in-memory PeerLinks joined to each other (FIFO both ways), for tests and in-process demos. Closing either end
 * closes the pair: queued messages can still be read, then every receive (pending or later) rejects with the reason.
 */
import type { PeerLink } from './link.js';
import type { PartyRole } from './channel.js';
import type { VerticalMessage } from './messages.js';

/** A PeerLink that can be closed, rejecting the receives that would otherwise wait for ever. */
export interface ClosablePeerLink extends PeerLink {
  close(reason: string): void;
}

/** Sees every message as it is sent, with its recipient. */
export type LinkObserver = (to: PartyRole, message: VerticalMessage) => void;

class Inbox {
  private readonly queue: VerticalMessage[] = [];
  private readonly waiting: { resolve(m: VerticalMessage): void; reject(e: Error): void }[] = [];
  closed: string | undefined;

  push(m: VerticalMessage): void {
    const w = this.waiting.shift();
    if (w) w.resolve(m);
    else this.queue.push(m);
  }

  take(): Promise<VerticalMessage> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.closed !== undefined) return Promise.reject(new Error(`the link is closed: ${this.closed}`));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  close(reason: string): void {
    if (this.closed !== undefined) return;
    this.closed = reason;
    for (const w of this.waiting.splice(0)) w.reject(new Error(`the link is closed: ${reason}`));
  }
}

/** The guest's end and the host's end of one in-memory link. */
export function linkedPair(observe?: LinkObserver): { guest: ClosablePeerLink; host: ClosablePeerLink } {
  const inbox = { guest: new Inbox(), host: new Inbox() };
  const close = (reason: string) => {
    inbox.guest.close(reason);
    inbox.host.close(reason);
  };
  const end = (self: PartyRole, peer: PartyRole): ClosablePeerLink => ({
    async send(message) {
      if (inbox[peer].closed !== undefined) throw new Error(`the link is closed: ${inbox[peer].closed}`);
      observe?.(peer, message);
      inbox[peer].push(message);
    },
    receive: () => inbox[self].take(),
    close,
  });
  return { guest: end('guest', 'host'), host: end('host', 'guest') };
}
