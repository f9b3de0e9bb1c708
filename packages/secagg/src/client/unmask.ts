import { verify } from '@tessera/crypto';
import {
  CONSISTENCY_CONTEXT,
  consistencyBytes,
  describeIndex,
  encodeSurvivorSet,
  identityKeyOf,
  isIndex,
} from '../config.js';
import type { ShareOf, UnmaskRequest, UnmaskResponse } from '../messages.js';
import { ClientStage, fail, type Self, type SharePair } from './stage.js';

/** The survivor set a client signed in stage 4, sorted. */
export interface SignedView {
  readonly survivors: readonly number[];
  readonly dropped: readonly number[];
}

/**
 * Stage 5 (Unmask). Reveals, from the survivor set it signed in stage 4 and from nothing else, the self-mask share
 * of each survivor and the masking-key share of each dropped participant it holds shares of: never both kinds for
 * one participant, since the set is fixed. It answers only after the server shows that t members of its
 * neighbourhood, itself included, signed that same set (Bonawitz et al. 2017, section 4.2).
 */
export class ClientUnmask extends ClientStage {
  /** @internal Created by `ClientConsistencyCheck.sign`. */
  constructor(
    protected readonly self: Self,
    private readonly ownShares: SharePair,
    private readonly received: ReadonlyMap<number, SharePair>,
    /** What this client signed. */
    readonly view: SignedView,
  ) {
    super();
  }

  /**
   * Answers once, after checking the forwarded signatures: each from a distinct neighbour ('not-neighbour',
   * 'duplicate'), that the set lists as a survivor and whose signature is valid over the set this client signed
   * ('inconsistent-survivors': the server told that neighbour another set, or altered its signature), and with this
   * client's own at least t of them ('too-few'). A refusal changes nothing and reveals nothing.
   */
  unmask(request: UnmaskRequest): { message: UnmaskResponse; next: ClientDone } {
    this.checkNotMoved('unmask');
    this.confirm(request);
    const { index } = this.self;
    const selfMaskShares: ShareOf[] = [];
    const maskingKeyShares: ShareOf[] = [];
    for (const v of this.view.survivors) {
      if (v === index) selfMaskShares.push({ of: v, share: this.ownShares.selfMask });
      else if (this.received.has(v)) selfMaskShares.push({ of: v, share: this.received.get(v)!.selfMask });
    }
    for (const v of this.view.dropped) {
      if (this.received.has(v)) maskingKeyShares.push({ of: v, share: this.received.get(v)!.maskingKey });
    }
    this.moveOn();
    return {
      message: { index, selfMaskShares, maskingKeyShares },
      next: new ClientDone(
        index,
        selfMaskShares.map((s) => s.of),
        maskingKeyShares.map((s) => s.of),
      ),
    };
  }

  /** Throws unless t members of this client's neighbourhood (itself included) signed the set it signed. */
  private confirm(request: UnmaskRequest): void {
    const { config, index } = this.self;
    const list: unknown = request?.signatures;
    if (!Array.isArray(list)) fail(this.self, 'unknown-participant', "the unmask request's signatures are not a list");
    const survivors = new Set(this.view.survivors);
    const encoded = encodeSurvivorSet(this.view.survivors, this.view.dropped);
    const seen = new Set<number>();
    const confirmed = new Set<number>([index]); // its own signature, made in stage 4
    for (const item of list as { signer?: unknown; signature?: unknown }[]) {
      const w = item?.signer;
      if (!isIndex(config.n, w))
        fail(
          this.self,
          'unknown-participant',
          `a consistency signature from ${describeIndex(w)}, not in 0..${config.n - 1}`,
        );
      if (w !== index && !config.graph.isNeighbour(index, w))
        fail(this.self, 'not-neighbour', `a consistency signature from participant ${w}, which is not a neighbour`, w);
      if (seen.has(w)) fail(this.self, 'duplicate', `two consistency signatures from participant ${w}`, w);
      seen.add(w);
      // An honest participant signs only a set that lists it as a survivor.
      if (!survivors.has(w))
        fail(
          this.self,
          'inconsistent-survivors',
          `participant ${w} signed a survivor set, but the set this participant signed does not list it as a ` +
            'survivor: the coordinator told participants different survivor sets; not unmasking',
          w,
        );
      const signature = item.signature;
      const bytes = consistencyBytes(config.roundId, w, encoded);
      if (
        !(signature instanceof Uint8Array) ||
        !verify(CONSISTENCY_CONTEXT, bytes, signature, identityKeyOf(config, w))
      )
        fail(
          this.self,
          'inconsistent-survivors',
          `participant ${w}'s consistency signature does not verify over the survivor set this participant signed: ` +
            'the coordinator told participants different survivor sets, or altered the signature; not unmasking',
          w,
        );
      confirmed.add(w);
    }
    if (confirmed.size < config.threshold)
      fail(
        this.self,
        'too-few',
        `only ${confirmed.size} of this participant's neighbourhood (itself included) are shown to have signed ` +
          `the survivor set it signed, the threshold is ${config.threshold}: the coordinator may have told the ` +
          'others a different set; not unmasking',
      );
  }
}

/** The end of the client's round: what it revealed, for its audit log. */
export class ClientDone {
  constructor(
    readonly index: number,
    /** Participants whose self-mask share this client revealed. */
    readonly revealedSelfMaskShares: readonly number[],
    /** Participants whose masking-key share this client revealed. */
    readonly revealedMaskingKeyShares: readonly number[],
  ) {}
}
