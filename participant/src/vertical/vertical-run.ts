// One vertical run at this node: its sealed link to the peer and the guest's or host's side of the protocol.
import { createHash } from 'node:crypto';
import type { tessera } from '@tessera/proto';
import {
  runVerticalGuest,
  runVerticalHost,
  type VerticalGuestResult,
  type VerticalHostResult,
  type VerticalPhase,
} from '@tessera/vertical';
import type { CheckedVertical } from './vertical-check.js';
import { SealedLink } from './sealed-link.js';
import type { VerticalTable } from './vertical-table.js';

/** The alignment salt: SHA-256 over a domain label, the coordinator's 32 random bytes and the spec's salt (if any). */
export function alignmentSalt(checked: CheckedVertical): Uint8Array {
  return createHash('sha256')
    .update('tessera/v1/vertical/salt\0')
    .update(checked.coordinatorSalt)
    .update(checked.spec.salt ?? '')
    .digest();
}

export type VerticalOutcome =
  | { readonly role: 'guest'; readonly result: VerticalGuestResult }
  | { readonly role: 'host'; readonly result: VerticalHostResult };

/**
 * A run of the guest's or a host's side, started once the task passed admission. The link opens when the peer's
 * hello arrives; `outcome` settles when the protocol ends, or rejects with the reason it stopped (this node's,
 * the peer's abort, a cancellation, a lost connection).
 */
export class VerticalRun {
  readonly link: SealedLink;
  private readonly abort = new AbortController();
  readonly outcome: Promise<VerticalOutcome>;

  constructor(
    readonly ref: tessera.v1.ITaskRef,
    readonly checked: CheckedVertical,
    table: VerticalTable,
    node: { id: string; identitySecretKey: Uint8Array },
    send: (m: tessera.v1.IPsiPoints) => Promise<void>,
    progress: (phase: VerticalPhase, detail: string) => void,
  ) {
    this.link = new SealedLink({
      ref,
      selfId: node.id,
      peerId: checked.peer.participant,
      identitySecretKey: node.identitySecretKey,
      peerIdentityKey: checked.peerIdentityKey,
      send,
    });
    const spec = checked.spec;
    const common = {
      link: this.link,
      table: { ids: table.ids, featureNames: table.featureNames, columns: table.columns },
      model: spec.model,
      salt: alignmentSalt(checked),
      session: checked.session,
      seed: checked.seed,
      testFraction: spec.testFraction,
      minOverlap: spec.minOverlap,
      signal: this.abort.signal,
      progress,
    };
    this.outcome =
      checked.party.role === 'guest'
        ? runVerticalGuest({ ...common, labels: table.labels! }).then((result) => ({ role: 'guest', result }))
        : runVerticalHost(common).then((result) => ({ role: 'host', result }));
    // Settled by whoever awaits it; never an unhandled rejection in between.
    this.outcome.catch(() => undefined);
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
