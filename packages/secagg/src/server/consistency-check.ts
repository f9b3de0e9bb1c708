// Server stage 4 (Bonawitz et al. 2017, section 4.2): collects each survivor's signature over the survivor set.
import { verify } from '@tessera/crypto';
import {
  CONSISTENCY_CONTEXT,
  consistencyBytes,
  describeIndex,
  encodeSurvivorSet,
  identityKeyOf,
  isIndex,
  type EncodedSurvivorSet,
} from '../config.js';
import type { AdvertiseKeys, ConsistencyCheckRequest, ConsistencyCheckResponse } from '../messages.js';

import { type MaskedInputMode, type Round, sorted, ServerStage } from './round.js';
import { ServerUnmask } from './unmask.js';

/**
 * Stage 4: shows every survivor the same survivor set (U3, and U2 \ U3 as dropped) and collects their signatures over
 * it (U4). Stage 5 forwards to each signer its neighbours' signatures, which it checks before it unmasks.
 */
export class ServerConsistencyCheck extends ServerStage {
  private readonly request: ConsistencyCheckRequest;
  private readonly encoded: EncodedSurvivorSet;
  private readonly signatures = new Map<number, Uint8Array>();

  /** @internal Created by `ServerMaskedInput.close`. */
  constructor(
    protected readonly round: Round,
    private readonly advertisements: ReadonlyMap<number, AdvertiseKeys>,
    private readonly survivorSet: ReadonlySet<number>,
    dropped: readonly number[],
    /** The sum of the plaintext masked inputs; undefined in sealed mode. */
    private readonly maskedSum: Uint32Array | undefined,
  ) {
    super();
    this.request = Object.freeze({
      survivors: Object.freeze(sorted(survivorSet)),
      dropped: Object.freeze([...dropped]),
    });
    this.encoded = encodeSurvivorSet(this.request.survivors, this.request.dropped);
  }

  /** The round's masked-input mode. */
  get mode(): MaskedInputMode {
    return this.maskedSum ? 'plain' : 'sealed';
  }

  /** U3, sorted. */
  get survivors(): number[] {
    return [...this.request.survivors];
  }

  /** U2 \ U3, sorted. */
  get dropped(): number[] {
    return [...this.request.dropped];
  }

  /** The same request for every member of U3. */
  consistencyRequest(): ConsistencyCheckRequest {
    return { survivors: this.survivors, dropped: this.dropped };
  }

  /**
   * A survivor's signature over the request: it must verify under the survivor's identity key, so the server never
   * forwards a signature that would make an honest client abort.
   */
  receive(msg: ConsistencyCheckResponse): void {
    const from = msg?.index;
    this.checkOpen('ConsistencyCheck', from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.survivorSet.has(from))
      this.round.reject(
        'unknown-participant',
        `ConsistencyCheck from participant ${describeIndex(from)}, which is not a survivor`,
        isIndex(config.n, from) ? from : undefined,
      );
    if (this.signatures.has(from))
      this.round.reject('duplicate', `ConsistencyCheck: participant ${from} already signed`, from);
    const signature = msg.signature;
    if (
      !(signature instanceof Uint8Array) ||
      !verify(
        CONSISTENCY_CONTEXT,
        consistencyBytes(config.roundId, from, this.encoded),
        signature,
        identityKeyOf(config, from),
      )
    ) {
      this.round.reject(
        'bad-signature',
        `ConsistencyCheck from participant ${from}: the signature does not verify over this round's survivor set`,
        from,
      );
    }
    this.signatures.set(from, signature.slice());
    this.round.stats.accepted.consistencyCheck++;
  }

  /** The survivors that signed so far (U4), sorted. */
  get signed(): number[] {
    return sorted(this.signatures.keys());
  }

  /** Ends stage 4 with U4 = the survivors that signed; needs at least t. */
  close(): ServerUnmask {
    this.checkNotClosed('ConsistencyCheck');
    this.requireAtLeast(this.signatures.size, 'survivors that signed the survivor set');
    this.markClosed();
    return new ServerUnmask(
      this.round,
      this.advertisements,
      this.survivorSet,
      this.request,
      new Map(this.signatures),
      this.maskedSum,
    );
  }
}
