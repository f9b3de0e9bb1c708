/**
 * The two BFV roles of vertical logistic regression. The guest owns the key pair (`VlrGuestCipher`: encrypt and
 * decrypt vectors of words mod p); hosts hold only the guest's public key (`VlrHostCipher`: encrypt their score
 * shares for other hosts, multiply ciphertexts by their own plaintext vectors and add plaintext masks). A vector
 * of L words travels as ceil(L / n) ciphertexts of n slots, the last zero-padded, serialized without compression
 * (zstd saves about 20% of the bytes for three times the time); the guest's are seeded symmetric encryptions, half
 * the size of a public-key one (about 256 KB against 512 KB). Both hold wasm memory until `dispose()`.
 */
import { free, scope, type Deletable } from '@tessera/he';
import { openVlrContext, vlrSeal, type VlrContext, type VlrHeParameters } from './vlr-seal.js';

type Seal = ReturnType<typeof vlrSeal>;
type CipherText = ReturnType<Seal['CipherText']>;

abstract class VlrCipher {
  protected readonly context: VlrContext;
  protected readonly encoder: ReturnType<Seal['BatchEncoder']>;
  protected readonly n: number;
  private readonly owned: Deletable[] = [];
  private disposed = false;

  protected constructor(readonly params: VlrHeParameters) {
    this.context = openVlrContext(params);
    this.n = params.polyModulusDegree;
    this.encoder = this.own(vlrSeal().BatchEncoder(this.context));
  }

  protected own<T extends Deletable>(o: T): T {
    this.owned.push(o);
    return o;
  }

  /** Number of ciphertexts for a vector of `length` words. */
  chunkCount(length: number): number {
    return Math.ceil(length / this.n);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    free(...this.owned.reverse(), this.context);
  }

  protected live(): void {
    if (this.disposed) throw new Error(`${this.constructor.name} was disposed`);
  }

  /** Chunk `c` of `words` (numbers below p) as a BigUint64Array of n slots, zero-padded. */
  protected slots(words: Float64Array, c: number): BigUint64Array {
    const out = new BigUint64Array(this.n);
    const end = Math.min(words.length, (c + 1) * this.n);
    for (let i = c * this.n; i < end; i++) out[i - c * this.n] = BigInt(words[i]!); // i < end <= words.length
    return out;
  }

  protected encodeChunk(words: Float64Array, c: number): ReturnType<Seal['PlainText']> {
    const plain = vlrSeal().PlainText();
    try {
      this.encoder.encode(this.slots(words, c), plain);
      return plain;
    } catch (e) {
      plain.delete();
      throw e;
    }
  }

  protected load(bytes: Uint8Array, what: string): CipherText {
    const ct = vlrSeal().CipherText();
    try {
      if (!(bytes instanceof Uint8Array)) throw new Error(`${what} must be a Uint8Array`);
      ct.loadArray(this.context, bytes);
      if (ct.size !== 2) throw new Error(`${what} has ${ct.size} components, expected 2`);
      if (ct.isTransparent) throw new Error(`${what} is transparent (not encrypted)`);
      return ct;
    } catch (e) {
      ct.delete();
      throw new Error(`${what}: refused (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  protected save(ct: CipherText): Uint8Array {
    return ct.saveArray(vlrSeal().ComprModeType.none);
  }

  protected checkChunks(chunks: readonly Uint8Array[], length: number, what: string): void {
    if (!Array.isArray(chunks) || chunks.length !== this.chunkCount(length))
      throw new Error(`${what}: ${length} words need ${this.chunkCount(length)} ciphertexts, got ${chunks?.length}`);
  }
}

/** The guest's key pair, encryptor and decryptor. The secret key never leaves the wasm heap. */
export class VlrGuestCipher extends VlrCipher {
  readonly publicKey: Uint8Array;
  private readonly encryptor: ReturnType<Seal['Encryptor']>;
  private readonly decryptor: ReturnType<Seal['Decryptor']>;

  constructor(params: VlrHeParameters) {
    super(params);
    try {
      const s = vlrSeal();
      const generator = this.own(s.KeyGenerator(this.context));
      const pk = scope((keep) => {
        const serializable = keep(generator.createPublicKeySerializable());
        return serializable.saveArray(s.ComprModeType.zstd);
      });
      this.publicKey = pk;
      const publicKey = this.own(s.PublicKey());
      publicKey.loadArray(this.context, pk);
      const secret = this.own(s.SecretKey());
      // node-seal's `secretKey()` copies the key and never frees the original; take the raw copy and free it.
      const raw = (generator.instance as { secretKey(): Deletable }).secretKey();
      try {
        secret.inject(raw as never);
      } finally {
        raw.delete();
      }
      this.encryptor = this.own(s.Encryptor(this.context, publicKey, secret));
      this.decryptor = this.own(s.Decryptor(this.context, secret));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Encrypts words (each below p) as ceil(length / n) ciphertexts. */
  encrypt(words: Float64Array): Uint8Array[] {
    this.live();
    const out: Uint8Array[] = [];
    for (let c = 0; c * this.n < words.length; c++) {
      out.push(
        scope((keep) => {
          const plain = keep(this.encodeChunk(words, c));
          // Symmetric encryption under the secret key, serialized with its seed: half the bytes of a public-key one.
          return keep(this.encryptor.encryptSymmetricSerializable(plain)).saveArray(vlrSeal().ComprModeType.none);
        }),
      );
    }
    return out;
  }

  /**
   * Decrypts `length` words mod p. The parameters leave about 60 bits of noise budget after the protocol's one
   * plaintext product (`noiseBudget` measures it), so the per-chunk budget check is skipped: it costs as much as
   * a decryption.
   */
  decrypt(chunks: readonly Uint8Array[], length: number, what: string): Float64Array {
    this.live();
    this.checkChunks(chunks, length, what);
    const out = new Float64Array(length);
    chunks.forEach((bytes, c) => {
      scope((keep) => {
        const ct = keep(this.load(bytes, `${what} ciphertext ${c}`));
        const plain = keep(vlrSeal().PlainText());
        this.decryptor.decrypt(ct, plain);
        const slots = this.encoder.decodeBigInt(plain, false);
        const end = Math.min(this.n, length - c * this.n);
        for (let i = 0; i < end; i++) out[c * this.n + i] = Number(slots[i]!); // i < end <= n
      });
    });
    return out;
  }

  /** The smallest invariant noise budget (bits) over the chunks: test and benchmark use. */
  noiseBudget(chunks: readonly Uint8Array[]): number {
    this.live();
    let least = Number.POSITIVE_INFINITY;
    for (const bytes of chunks)
      scope((keep) => {
        least = Math.min(least, this.decryptor.invariantNoiseBudget(keep(this.load(bytes, 'ciphertext'))));
      });
    return least;
  }
}

/** A host's view of the guest's key: the public key only (it cannot decrypt anything). */
export class VlrHostCipher extends VlrCipher {
  private readonly encryptor: ReturnType<Seal['Encryptor']>;
  private readonly evaluator: ReturnType<Seal['Evaluator']>;

  constructor(params: VlrHeParameters, publicKey: Uint8Array) {
    super(params);
    try {
      const s = vlrSeal();
      const pk = this.own(s.PublicKey());
      try {
        pk.loadArray(this.context, publicKey);
      } catch (e) {
        throw new Error(`the guest's public key was refused by SEAL (${e instanceof Error ? e.message : String(e)})`);
      }
      this.encryptor = this.own(s.Encryptor(this.context, pk));
      this.evaluator = this.own(s.Evaluator(this.context));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Encrypts words under the guest's public key (score shares for other hosts). */
  encrypt(words: Float64Array): Uint8Array[] {
    this.live();
    const out: Uint8Array[] = [];
    for (let c = 0; c * this.n < words.length; c++) {
      out.push(
        scope((keep) => {
          const plain = keep(this.encodeChunk(words, c));
          const ct = keep(vlrSeal().CipherText({ context: this.context }));
          this.encryptor.encrypt(plain, ct);
          return this.save(ct);
        }),
      );
    }
    return out;
  }

  /**
   * Slot-wise ((sum of the `inputs` vectors) + before) * factor + after, each vector `length` words long: the
   * inputs are ciphertext vectors, the other three plaintext words mod p (`before` may be undefined for none).
   */
  affine(
    inputs: readonly (readonly Uint8Array[])[],
    length: number,
    before: Float64Array | undefined,
    factor: Float64Array,
    after: Float64Array,
    what: string,
  ): Uint8Array[] {
    this.live();
    for (const input of inputs) this.checkChunks(input, length, what);
    const out: Uint8Array[] = [];
    for (let c = 0; c * this.n < length; c++) {
      if (isZeroChunk(factor, c, this.n)) {
        // SEAL refuses a product with an all-zero plaintext (a transparent ciphertext): encrypt `after` instead.
        out.push(...this.encrypt(after.subarray(c * this.n, (c + 1) * this.n)));
        continue;
      }
      out.push(
        scope((keep) => {
          const acc = keep(this.load(inputs[0]![c]!, `${what} ciphertext ${c}`)); // checkChunks: c < chunk count
          for (let k = 1; k < inputs.length; k++)
            this.evaluator.add(acc, keep(this.load(inputs[k]![c]!, `${what} ciphertext ${c}`)), acc);
          if (before) this.evaluator.addPlain(acc, keep(this.encodeChunk(before, c)), acc);
          this.evaluator.multiplyPlain(acc, keep(this.encodeChunk(factor, c)), acc);
          this.evaluator.addPlain(acc, keep(this.encodeChunk(after, c)), acc);
          return this.save(acc);
        }),
      );
    }
    return out;
  }
}

function isZeroChunk(words: Float64Array, c: number, n: number): boolean {
  const end = Math.min(words.length, (c + 1) * n);
  for (let i = c * n; i < end; i++) if (words[i] !== 0) return false;
  return true;
}
