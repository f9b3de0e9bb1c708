import { inspect } from 'node:util';
import { validateBfvParameters, type BfvParameters } from './bfv-parameters.js';
import { openContext } from './context.js';
import { EnvelopeKind, wrap } from './envelope.js';
import { scope, seal, type Deletable } from './seal.js';

/**
 * The analyst's key pair. `publicKey` is meant to be published (seeded and zstd-compressed: about 70 KB at
 * n = 4096); the secret key is kept in a private field and comes out only through `secretKeyBytes()`, never
 * through `toString`, `toJSON` or `util.inspect`.
 */
export class BfvKeyPair {
  readonly #secretKey: Uint8Array;

  private constructor(
    readonly params: BfvParameters,
    readonly publicKey: Uint8Array,
    secretKey: Uint8Array,
  ) {
    this.#secretKey = secretKey;
  }

  /** Generates a fresh key pair (SEAL samples it from its own CSPRNG, seeded from the OS). */
  static generate(params: BfvParameters): BfvKeyPair {
    validateBfvParameters(params);
    const opened = openContext('bfv', params.polyModulusDegree, params.coeffModulusBits, BigInt(params.plainModulus));
    try {
      return scope((keep) => {
        const s = seal();
        const generator = keep(s.KeyGenerator(opened.context));
        const pk = wrap(
          EnvelopeKind.BfvPublicKey,
          opened.keyParmsId,
          keep(generator.createPublicKeySerializable()).saveArray(s.ComprModeType.zstd),
        );
        const sk = keep(s.SecretKey());
        // node-seal's `secretKey()` copies the key and never frees the original; take the raw copy and free it.
        const raw = (generator.instance as { secretKey(): Deletable }).secretKey();
        try {
          sk.inject(raw);
        } finally {
          raw.delete();
        }
        const skBytes = wrap(EnvelopeKind.BfvSecretKey, opened.keyParmsId, sk.saveArray(s.ComprModeType.zstd));
        return new BfvKeyPair(params, pk, skBytes);
      });
    } finally {
      opened.context.delete();
    }
  }

  /** A copy of the serialized secret key, for the analyst's key store or a `BfvDecryptor`. */
  secretKeyBytes(): Uint8Array {
    return this.#secretKey.slice();
  }

  toJSON(): { scheme: 'bfv'; params: BfvParameters; publicKey: string } {
    return { scheme: 'bfv', params: this.params, publicKey: Buffer.from(this.publicKey).toString('base64') };
  }

  toString(): string {
    return (
      `BfvKeyPair(n = ${this.params.polyModulusDegree}, p = ${this.params.plainModulus}, ` +
      `public key ${this.publicKey.length} bytes, secret key hidden)`
    );
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
