import {
  constantTimeEqual,
  generateKeyAgreementPair,
  sign,
  signingKeyPairFromSecret,
  verify,
  type KeyAgreementPair,
} from '@tessera/crypto';
import {
  ADVERTISE_CONTEXT,
  advertisedBytes,
  describeIndex,
  identityKeyOf,
  isIndex,
  pairwiseSeed,
  resolveConfig,
  shareKey,
  type RoundConfig,
} from '../config.js';
import type { AdvertiseKeys } from '../messages.js';
import { ClientShareKeys } from './share-keys.js';
import { ClientStage, fail, hex, type Peer, type Self } from './stage.js';

/**
 * Stage 1 (AdvertiseKeys). Holds the participant's fresh X25519 pairs (c_u for encryption, s_u for masking).
 * Send `advertise()` to the server, then give `receiveKeys` what the server forwards.
 */
export class ClientAdvertiseKeys extends ClientStage {
  protected readonly self: Self;
  private readonly encryption: KeyAgreementPair = generateKeyAgreementPair();
  private readonly masking: KeyAgreementPair = generateKeyAgreementPair();
  private readonly message: AdvertiseKeys;

  constructor(config: RoundConfig, index: number, identitySecretKey: Uint8Array) {
    super();
    const resolved = resolveConfig(config);
    if (!isIndex(resolved.n, index))
      throw new RangeError(`participant index ${describeIndex(index)} is not in 0..${resolved.n - 1}`);
    const identity = signingKeyPairFromSecret(identitySecretKey);
    if (!constantTimeEqual(identity.publicKey, identityKeyOf(resolved, index))) {
      throw new RangeError(
        `the identity secret key does not belong to participant ${index} ` +
          `(its public key differs from identityKeys[${index}])`,
      );
    }
    this.self = { config: resolved, index, sign: (context, message) => sign(context, message, identity.secretKey) };
    const { encryption, masking } = this;
    const signature = this.self.sign(
      ADVERTISE_CONTEXT,
      advertisedBytes(resolved.roundId, index, encryption.publicKey, masking.publicKey),
    );
    this.message = Object.freeze({
      index,
      encryptionKey: encryption.publicKey,
      maskingKey: masking.publicKey,
      signature,
    });
  }

  /** The signed advertisement (the same object on every call). */
  advertise(): AdvertiseKeys {
    return this.message;
  }

  /**
   * The advertisements the server forwards: entries of non-neighbours and the client's own are ignored; every
   * neighbour's entry must be signed by that neighbour's identity key for this round. Needs at least t - 1
   * advertising neighbours (t share holders with this client), as Bonawitz et al. abort below t.
   */
  receiveKeys(list: readonly AdvertiseKeys[]): ClientShareKeys {
    this.checkNotMoved('receiveKeys');
    const { config, index } = this.self;
    if (!Array.isArray(list)) fail(this.self, 'unknown-participant', 'the forwarded keys are not a list');
    const peers = new Map<number, Peer>();
    const seenKeys = new Set<string>([hex(this.message.encryptionKey), hex(this.message.maskingKey)]);
    for (const ad of list) {
      const j = ad?.index;
      if (!isIndex(config.n, j))
        fail(
          this.self,
          'unknown-participant',
          `forwarded keys name participant ${describeIndex(j)}, not in 0..${config.n - 1}`,
          undefined,
        );
      if (j === index || !config.graph.isNeighbour(index, j)) continue;
      if (peers.has(j)) fail(this.self, 'duplicate', `keys of participant ${j} were forwarded twice`, j);
      if (
        !(ad.encryptionKey instanceof Uint8Array) ||
        ad.encryptionKey.length !== 32 ||
        !(ad.maskingKey instanceof Uint8Array) ||
        ad.maskingKey.length !== 32
      ) {
        fail(this.self, 'wrong-length', `keys of participant ${j} are not two 32-byte X25519 public keys`, j);
      }
      if (
        !(ad.signature instanceof Uint8Array) ||
        !verify(
          ADVERTISE_CONTEXT,
          advertisedBytes(config.roundId, j, ad.encryptionKey, ad.maskingKey),
          ad.signature,
          identityKeyOf(config, j),
        )
      ) {
        fail(
          this.self,
          'bad-signature',
          `keys of participant ${j} are not signed by its identity key for this round`,
          j,
        );
      }
      for (const key of [ad.encryptionKey, ad.maskingKey]) {
        const h = hex(key);
        if (seenKeys.has(h))
          fail(
            this.self,
            'duplicate',
            `participant ${j} advertised a public key that another participant also uses`,
            j,
          );
        seenKeys.add(h);
      }
      let derived: Pick<Peer, 'shareKey' | 'maskSeed'>;
      try {
        derived = {
          shareKey: shareKey(config.roundId, this.encryption.secretKey, ad.encryptionKey),
          maskSeed: pairwiseSeed(config.roundId, this.masking.secretKey, ad.maskingKey),
        };
      } catch (e) {
        fail(this.self, 'bad-key', `participant ${j} advertised an unusable X25519 key (${(e as Error).message})`, j);
      }
      peers.set(j, {
        advertisement: {
          index: j,
          encryptionKey: ad.encryptionKey,
          maskingKey: ad.maskingKey,
          signature: ad.signature,
        },
        ...derived,
      });
    }
    if (peers.size + 1 < config.threshold) {
      fail(
        this.self,
        'too-few',
        `only ${peers.size} neighbours advertised keys; ` +
          `with this participant that is ${peers.size + 1} share holders, the threshold is ${config.threshold}`,
      );
    }
    this.moveOn();
    return new ClientShareKeys(this.self, this.masking, peers);
  }
}
