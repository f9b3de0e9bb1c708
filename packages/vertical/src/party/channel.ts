/**
 * One party's side of a run over a PeerLink: typed receives that turn the peer's abort into an error, refuse an
 * unexpected message and honour cancellation, and the one way out on failure (tell the peer why, then throw).
 */
import { AlignmentError, PsiError } from '@tessera/psi';
import type { PeerLink } from './link.js';
import type { VerticalMessage } from './messages.js';
import type { VerticalPhase } from './types.js';

export type PartyRole = 'guest' | 'host';

/** A refusal whose message may be told to the peer (it names no row, value or path). */
export class PartyRefusal extends Error {
  override readonly name = 'PartyRefusal';
}

/** The peer stopped the run (its `vertical/abort`); the message says why. */
export class PeerStoppedError extends Error {
  override readonly name = 'PeerStoppedError';
  constructor(
    readonly peer: PartyRole,
    readonly reason: string,
  ) {
    super(`the ${peer} stopped the run: ${reason}`);
  }
}

type Kind = VerticalMessage['kind'];
export type MessageOf<K extends Kind> = Extract<VerticalMessage, { kind: K }>;

export class PartyChannel {
  readonly peer: PartyRole;
  private stopped = false;

  constructor(
    private readonly link: PeerLink,
    readonly role: PartyRole,
    private readonly signal?: AbortSignal,
    private readonly progress?: (phase: VerticalPhase, detail: string) => void,
  ) {
    this.peer = role === 'guest' ? 'host' : 'guest';
  }

  report(phase: VerticalPhase, detail: string): void {
    this.progress?.(phase, detail);
  }

  /** Throws (a refusal the peer is told of) when the run was cancelled. */
  checkCancelled(): void {
    if (this.signal?.aborted) throw new PartyRefusal(`the ${this.role} cancelled the run`);
  }

  async send(message: VerticalMessage): Promise<void> {
    this.checkCancelled();
    await this.link.send(message);
  }

  /** The peer's next message, which must be one of `kinds`. */
  async receive<K extends Kind>(...kinds: K[]): Promise<MessageOf<K>> {
    this.checkCancelled();
    const m = await this.nextOrCancel();
    if (typeof m !== 'object' || m === null || typeof m.kind !== 'string')
      throw new PartyRefusal(`the ${this.role} received something that is not a message`);
    if (m.kind === 'vertical/abort') {
      this.stopped = true;
      // The peer's words end up in this node's log and the job's error: printable text only, and short.
      const text =
        typeof m.reason === 'string'
          ? m.reason
              .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
              .trim()
              .slice(0, 500)
          : '';
      const reason = text !== '' ? text : 'no reason given';
      throw new PeerStoppedError(this.peer, reason);
    }
    if (!(kinds as string[]).includes(m.kind))
      throw new PartyRefusal(`the ${this.role} expected ${kinds.join(' or ')} but received ${m.kind}`);
    return m as MessageOf<K>;
  }

  /**
   * Tells the peer why this side stops (unless the peer stopped first) and throws `error`. The reason told is the
   * message of a refusal or alignment error, else a generic line: other errors may carry local details.
   */
  async fail(error: unknown): Promise<never> {
    if (!this.stopped && !(error instanceof PeerStoppedError)) {
      this.stopped = true;
      try {
        await this.link.send({ kind: 'vertical/abort', reason: shareableReason(this.role, error) });
      } catch {
        // The link is gone: the peer's receive fails on its own.
      }
    }
    throw error;
  }

  private nextOrCancel(): Promise<VerticalMessage> {
    const signal = this.signal;
    if (!signal) return this.link.receive();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new PartyRefusal(`the ${this.role} cancelled the run`));
      signal.addEventListener('abort', onAbort, { once: true });
      this.link.receive().then(
        (m) => {
          signal.removeEventListener('abort', onAbort);
          resolve(m);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}

/** What the peer may be told of a local failure. */
export function shareableReason(role: PartyRole, error: unknown): string {
  if (error instanceof PartyRefusal) return error.message;
  if (error instanceof AlignmentError) {
    if (error.code === 'duplicate-ids')
      return `the ${role}'s identifier column repeats identifiers (each customer must appear on one row only)`;
    if (error.code === 'bad-id') return `the ${role}'s identifier column has a missing or empty identifier`;
    if (error.code === 'bad-salt') return `the ${role}'s alignment salt is missing or too short`;
    return error.message;
  }
  if (error instanceof PsiError) return error.message;
  return `the ${role} failed locally (${error instanceof Error ? error.name : 'error'}; see its log)`;
}
