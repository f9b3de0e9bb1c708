// One vertical run at this node (training or scoring): its sealed link to the peer and its side of the protocol.
import { createHash } from 'node:crypto';
import type { tessera } from '@tessera/proto';
import type { PeerLink } from '@tessera/vertical';
import type { CheckedParties } from './vertical-check.js';
import { SealedLink } from './sealed-link.js';

/** The alignment salt: SHA-256 over a domain label, the coordinator's 32 random bytes and the spec's salt (if any). */
export function alignmentSalt(checked: CheckedParties, specSalt: string | undefined): Uint8Array {
  return createHash('sha256')
    .update('tessera/v1/vertical/salt\0')
    .update(checked.coordinatorSalt)
    .update(specSalt ?? '')
    .digest();
}

/**
 * A run of this node's side, started once the task passed admission. The link opens when the peer's hello arrives;
 * `outcome` settles when the protocol ends, or rejects with the reason it stopped (this node's, the peer's abort, a
 * cancellation, a lost connection).
 */
export class VerticalRun<T = unknown> {
  readonly link: SealedLink;
  private readonly abort = new AbortController();
  readonly outcome: Promise<T>;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    readonly ref: tessera.v1.ITaskRef,
    readonly checked: CheckedParties,
    node: { id: string; identitySecretKey: Uint8Array },
    send: (m: tessera.v1.IPsiPoints) => Promise<void>,
    protocol: (link: PeerLink, signal: AbortSignal) => Promise<T>,
    /** The task's deadline (Unix ms; 0: none): the run stops there, whatever the coordinator does. */
    deadlineUnixMs = 0,
  ) {
    this.link = new SealedLink({
      ref,
      selfId: node.id,
      peerId: checked.peer.participant,
      identitySecretKey: node.identitySecretKey,
      peerIdentityKey: checked.peerIdentityKey,
      send,
      onOpen: checked.pinPeerKey,
    });
    if (deadlineUnixMs > 0) {
      // setTimeout takes at most 2^31 - 1 ms; a later deadline is checked again then.
      const arm = (): NodeJS.Timeout =>
        setTimeout(
          () => {
            if (Date.now() >= deadlineUnixMs) this.stop('the run passed its task deadline');
            else this.deadline = arm();
          },
          Math.min(2 ** 31 - 1, Math.max(0, deadlineUnixMs - Date.now())),
        ).unref();
      this.deadline = arm();
    }
    this.outcome = protocol(this.link, this.abort.signal);
    // Settled by whoever awaits it; never an unhandled rejection in between.
    this.outcome.catch(() => undefined).finally(() => clearTimeout(this.deadline));
  }

  /** The hello to send first. */
  hello(): tessera.v1.IPsiPoints {
    return this.link.hello();
  }

  onPsi(m: tessera.v1.IPsiPoints): void {
    this.link.onPsi(m);
  }

  /** Stops the run: the protocol's pending step rejects with `reason`. */
  stop(reason: string): void {
    const e = new Error(reason);
    this.abort.abort(e);
    this.link.close(e);
  }
}
