import { randomBytes } from 'node:crypto';
import { decodeShare, encodeShare, open, seal, shamirSplit, SHARE_BYTES, type KeyAgreementPair } from '@tessera/crypto';
import { describeIndex, isIndex, shareAd } from '../config.js';
import type { IncomingShares, ShareKeys } from '../messages.js';
import { ClientMaskedInput } from './masked-input.js';
import { ClientStage, fail, type Peer, type Self, type SharePair } from './stage.js';

/** A share ciphertext's plaintext: the self-mask share, then the masking-key share. */
const PLAINTEXT_BYTES = 2 * SHARE_BYTES;

/**
 * Stage 2 (ShareKeys). Draws the self-mask seed b_u and Shamir-shares b_u and s_u^SK among the advertising
 * neighbours and itself (x = index + 1). Send `shareKeys()`, then give `receiveShares` the ciphertexts the
 * server forwards.
 */
export class ClientShareKeys extends ClientStage {
  private readonly selfMaskSeed = new Uint8Array(randomBytes(32));
  private message: ShareKeys | undefined;
  private ownShares: SharePair | undefined;

  /** @internal Created by `ClientAdvertiseKeys.receiveKeys`. */
  constructor(
    protected readonly self: Self,
    private readonly masking: KeyAgreementPair,
    private readonly peers: ReadonlyMap<number, Peer>,
  ) {
    super();
  }

  /** The neighbours whose keys were accepted (this client's view of U1 and N(u)), sorted. */
  get advertisedNeighbours(): number[] {
    return [...this.peers.keys()].sort((a, b) => a - b);
  }

  /** The encrypted shares, one per advertising neighbour (the same message on every call). */
  shareKeys(): ShareKeys {
    if (this.message) return this.message;
    const { config, index } = this.self;
    const holders = [index, ...this.peers.keys()].sort((a, b) => a - b);
    const xs = holders.map((v) => v + 1);
    const selfMask = shamirSplit(this.selfMaskSeed, config.threshold, xs);
    const maskingKey = shamirSplit(this.masking.secretKey, config.threshold, xs);
    const shares: { to: number; ciphertext: Uint8Array }[] = [];
    holders.forEach((v, i) => {
      // shamirSplit returns one share per evaluation point, and xs has one point per holder.
      const pair: SharePair = { selfMask: selfMask[i]!, maskingKey: maskingKey[i]! };
      if (v === index) {
        this.ownShares = pair;
        return;
      }
      const plaintext = new Uint8Array(PLAINTEXT_BYTES);
      plaintext.set(encodeShare(pair.selfMask), 0);
      plaintext.set(encodeShare(pair.maskingKey), SHARE_BYTES);
      shares.push({
        to: v,
        ciphertext: seal(this.peers.get(v)!.shareKey, plaintext, shareAd(config.roundId, index, v)),
      });
      plaintext.fill(0);
    });
    this.message = Object.freeze({ index, shares: Object.freeze(shares) });
    return this.message;
  }

  /**
   * The ciphertexts addressed to this client from the neighbours that sent shares (this client's view of
   * U2 and N(u)). Each must come from an advertising neighbour, once, and decrypt under the pairwise key with
   * this round's associated data. At least t - 1 are needed.
   */
  receiveShares(incoming: readonly IncomingShares[]): ClientMaskedInput {
    this.checkNotMoved('receiveShares');
    const { config, index } = this.self;
    if (!Array.isArray(incoming)) fail(this.self, 'bad-share', 'the forwarded shares are not a list');
    const received = new Map<number, SharePair>();
    for (const item of incoming) {
      const from = item?.from;
      if (!isIndex(config.n, from))
        fail(
          this.self,
          'unknown-participant',
          `shares from participant ${describeIndex(from)}, not in 0..${config.n - 1}`,
        );
      if (from === index || !config.graph.isNeighbour(index, from))
        fail(this.self, 'not-neighbour', `shares from participant ${from}, which is not a neighbour`, from);
      const peer = this.peers.get(from);
      if (!peer)
        fail(this.self, 'unknown-participant', `shares from neighbour ${from}, which did not advertise keys`, from);
      if (received.has(from))
        fail(this.self, 'duplicate', `shares from participant ${from} were forwarded twice`, from);
      const plaintext =
        item.ciphertext instanceof Uint8Array
          ? open(peer.shareKey, item.ciphertext, shareAd(config.roundId, from, index))
          : undefined;
      if (!plaintext)
        fail(
          this.self,
          'bad-share',
          `the share ciphertext from participant ${from} fails authentication (tampered, or from another round)`,
          from,
        );
      let pair: SharePair;
      try {
        if (plaintext.length !== PLAINTEXT_BYTES) throw new Error(`${plaintext.length} bytes`);
        pair = {
          selfMask: decodeShare(plaintext.subarray(0, SHARE_BYTES)),
          maskingKey: decodeShare(plaintext.subarray(SHARE_BYTES)),
        };
      } catch (e) {
        fail(
          this.self,
          'bad-share',
          `the shares from participant ${from} are malformed (${(e as Error).message})`,
          from,
        );
      }
      if (pair.selfMask.x !== index + 1 || pair.maskingKey.x !== index + 1) {
        fail(
          this.self,
          'bad-share',
          `the shares from participant ${from} are not evaluated at this participant's point ${index + 1}`,
          from,
        );
      }
      received.set(from, pair);
    }
    if (received.size + 1 < config.threshold) {
      fail(
        this.self,
        'too-few',
        `only ${received.size} neighbours sent shares; with this participant that is ${received.size + 1}, ` +
          `the threshold is ${config.threshold}`,
      );
    }
    this.shareKeys(); // draws the own shares if the message was not built yet
    const maskSeeds = new Map<number, Uint8Array>();
    for (const v of received.keys()) maskSeeds.set(v, this.peers.get(v)!.maskSeed);
    this.moveOn();
    const next = new ClientMaskedInput(this.self, this.selfMaskSeed, maskSeeds, this.ownShares!, received);
    this.masking.secretKey.fill(0); // shared out; only the shares are needed from now on
    return next;
  }
}
