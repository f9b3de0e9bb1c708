// Server stage 1 (fcp secagg_server_r0): collects the participants' signed key advertisements.
import { agree, verify } from '@tessera/crypto';
import {
  ADVERTISE_CONTEXT,
  advertisedBytes,
  describeIndex,
  identityKeyOf,
  isIndex,
  resolveConfig,
  type RoundConfig,
} from '../config.js';
import type { AdvertiseKeys } from '../messages.js';

import { ServerShareKeys } from './share-keys.js';
import { hex, PROBE_SECRET, Round, sorted, ServerStage } from './round.js';

/** Stage 1: collects the participants' signed key advertisements (U1). */
export class ServerAdvertiseKeys extends ServerStage {
  protected readonly round: Round;
  private readonly advertisements = new Map<number, AdvertiseKeys>();
  /** Public keys (hex) already advertised, and by whom: public keys are not secret. */
  private readonly keyOwners = new Map<string, number>();

  constructor(config: RoundConfig) {
    super();
    this.round = new Round(resolveConfig(config));
  }

  receive(msg: AdvertiseKeys): void {
    const from = msg?.index;
    this.checkOpen('AdvertiseKeys', from);
    const { config } = this.round;
    if (!isIndex(config.n, from))
      this.round.reject(
        'unknown-participant',
        `AdvertiseKeys from participant ${describeIndex(from)}, not in 0..${config.n - 1}`,
      );
    if (this.advertisements.has(from))
      this.round.reject('duplicate', `AdvertiseKeys: participant ${from} already advertised keys`, from);
    const { encryptionKey, maskingKey, signature } = msg;
    if (
      !(encryptionKey instanceof Uint8Array) ||
      encryptionKey.length !== 32 ||
      !(maskingKey instanceof Uint8Array) ||
      maskingKey.length !== 32
    ) {
      this.round.reject(
        'wrong-length',
        `AdvertiseKeys from participant ${from}: the keys are not two 32-byte X25519 public keys`,
        from,
      );
    }
    if (
      !(signature instanceof Uint8Array) ||
      !verify(
        ADVERTISE_CONTEXT,
        advertisedBytes(config.roundId, from, encryptionKey, maskingKey),
        signature,
        identityKeyOf(config, from),
      )
    ) {
      this.round.reject(
        'bad-signature',
        `AdvertiseKeys from participant ${from}: the signature does not verify under its identity key for this round`,
        from,
      );
    }
    for (const key of [encryptionKey, maskingKey]) {
      try {
        agree(PROBE_SECRET, key);
      } catch {
        this.round.reject('bad-key', `AdvertiseKeys from participant ${from}: a public key is of low order`, from);
      }
    }
    const encHex = hex(encryptionKey);
    const maskHex = hex(maskingKey);
    if (encHex === maskHex)
      this.round.reject('duplicate', `AdvertiseKeys from participant ${from}: both keys are the same`, from);
    for (const h of [encHex, maskHex]) {
      const owner = this.keyOwners.get(h);
      if (owner !== undefined)
        this.round.reject(
          'duplicate',
          `AdvertiseKeys from participant ${from}: a public key equals one of participant ${owner}'s`,
          from,
        );
    }
    this.keyOwners.set(encHex, from);
    this.keyOwners.set(maskHex, from);
    this.advertisements.set(
      from,
      Object.freeze({
        index: from,
        encryptionKey: encryptionKey.slice(),
        maskingKey: maskingKey.slice(),
        signature: signature.slice(),
      }),
    );
    this.round.stats.accepted.advertiseKeys++;
  }

  /** The participants that advertised so far, sorted. */
  get advertised(): number[] {
    return sorted(this.advertisements.keys());
  }

  /** Ends stage 1 with U1 = the participants that advertised; needs at least t. */
  close(): ServerShareKeys {
    this.checkNotClosed('AdvertiseKeys');
    this.requireAtLeast(this.advertisements.size, 'participants that advertised keys');
    this.markClosed();
    return new ServerShareKeys(this.round, new Map(this.advertisements));
  }
}
