/**
 * The three roles of sealed-mode aggregation over BFV (batched, exact integer arithmetic mod p):
 *
 * - the analyst generates a `BfvKeyPair` and publishes its public key; it alone can decrypt (`BfvDecryptor`);
 * - each participant encrypts its masked word vector chunk by chunk (`BfvEncryptor`);
 * - the coordinator adds ciphertexts and subtracts the plaintext masks it reconstructed (`BfvAccumulator`),
 *   holding one ciphertext per chunk (memory O(d), never O(n d)) and no secret key.
 *
 * A vector of d words is split into ceil(d / n) chunks of n slots (the last zero-padded); each chunk
 * travels as one serialized, zstd-compressed ciphertext in this package's envelope (envelope.ts).
 * All classes need `await loadSeal()` first and hold wasm memory until `dispose()`.
 */
import { inspect } from 'node:util';
import type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js';
import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import type { Decryptor } from 'node-seal/implementation/decryptor.js';
import type { Encryptor } from 'node-seal/implementation/encryptor.js';
import type { Evaluator } from 'node-seal/implementation/evaluator.js';
import type { PlainText } from 'node-seal/implementation/plain-text.js';
import { plainModulusOf, validateBfvParameters, type BfvParameters } from './bfv-parameters.js';
import { openContext } from './context.js';
import { EnvelopeKind, unwrap, wrap } from './envelope.js';
import { HeError, reason } from './errors.js';
import { SealRole } from './role.js';
import { free, scope, seal, type Deletable } from './seal.js';

/** Number of ciphertext chunks for a vector of `length` words: ceil(length / n). */
export function bfvChunkCount(params: BfvParameters, length: number): number {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new HeError('bad-input', `vector length must be a non-negative integer, got ${length}`);
  return Math.ceil(length / params.polyModulusDegree);
}

/** A validated BFV context, the plaintext modulus, and the ciphertext checks every role shares. */
abstract class BfvRole extends SealRole {
  readonly params: BfvParameters;
  protected readonly n: number;
  protected readonly p: number;

  protected constructor(params: BfvParameters) {
    validateBfvParameters(params);
    super(openContext('bfv', params.polyModulusDegree, params.coeffModulusBits, BigInt(params.plainModulus)));
    this.params = params;
    this.n = params.polyModulusDegree;
    this.p = plainModulusOf(params);
  }

  /** Unwraps and loads one BFV ciphertext, checking it is a fresh-level, 2-component, non-transparent ciphertext. */
  protected loadCiphertext(bytes: unknown, what: string): CipherText {
    const payload = unwrap(bytes, EnvelopeKind.BfvCiphertext, this.opened.keyParmsId, what);
    const ct = seal().CipherText();
    try {
      try {
        ct.loadArray(this.opened.context, payload);
      } catch (e) {
        throw new HeError('bad-bytes', `${what}: refused by SEAL (${reason(e)})`);
      }
      if (ct.size !== 2) throw new HeError('bad-bytes', `${what}: has ${ct.size} components, expected 2`);
      if (ct.coeffModulusSize !== this.opened.firstCoeffCount || ct.isNttForm) {
        throw new HeError(
          'bad-bytes',
          `${what}: is not at the first data level of these parameters (${ct.coeffModulusSize} primes, expected ${this.opened.firstCoeffCount})`,
        );
      }
      if (ct.isTransparent) throw new HeError('bad-bytes', `${what}: is transparent (not encrypted)`);
      return ct;
    } catch (e) {
      ct.delete();
      throw e;
    }
  }

  protected saveCiphertext(ct: CipherText): Uint8Array {
    return wrap(EnvelopeKind.BfvCiphertext, this.opened.keyParmsId, ct.saveArray(seal().ComprModeType.zstd));
  }

  /** Checks `words` is a Uint32Array of at most `max` entries, each below p. */
  protected checkWords(words: unknown, max: number, what: string): asserts words is Uint32Array {
    if (!(words instanceof Uint32Array)) throw new HeError('bad-input', `${what} must be a Uint32Array`);
    if (words.length > max) throw new HeError('bad-input', `${what} has ${words.length} words, at most ${max} fit`);
    const p = this.p;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!; // i < words.length
      if (w >= p) throw new HeError('bad-input', `${what}: word ${i} = ${w} is not below the plaintext modulus ${p}`);
    }
  }
}

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
    return `BfvKeyPair(n = ${this.params.polyModulusDegree}, p = ${this.params.plainModulus}, public key ${this.publicKey.length} bytes, secret key hidden)`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A participant's encryptor under the analyst's public key. */
export class BfvEncryptor extends BfvRole {
  private encryptor!: Encryptor;
  private encoder!: BatchEncoder;
  private plain!: PlainText;
  private cipher!: CipherText;
  private readonly slots: Uint32Array;

  /**
   * Loads and validates the public key (`HeError('bad-bytes' | 'wrong-parameters')` when it is not one for `params`).
   */
  constructor(params: BfvParameters, publicKeyBytes: Uint8Array) {
    super(params);
    this.slots = new Uint32Array(this.n);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(publicKeyBytes, EnvelopeKind.BfvPublicKey, this.opened.keyParmsId);
      scope((keep) => {
        const pk = keep(s.PublicKey());
        try {
          pk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a BFV public key: refused by SEAL (${reason(e)})`);
        }
        this.encryptor = this.own(s.Encryptor(this.opened.context, pk));
      });
      this.encoder = this.own(s.BatchEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
      this.cipher = this.own(s.CipherText({ context: this.opened.context }));
    });
  }

  /** Encrypts `words` (each below p) as ceil(length / n) ciphertexts; the last chunk is zero-padded. */
  encrypt(words: Uint32Array): Uint8Array[] {
    this.live();
    this.checkWords(words, Number.MAX_SAFE_INTEGER, 'the vector to encrypt');
    const n = this.n;
    const out: Uint8Array[] = [];
    for (let start = 0; start < words.length; start += n) {
      const chunk = words.subarray(start, Math.min(start + n, words.length));
      this.slots.set(chunk);
      if (chunk.length < n) this.slots.fill(0, chunk.length);
      this.encoder.encode(this.slots, this.plain);
      this.encryptor.encrypt(this.plain, this.cipher);
      out.push(this.saveCiphertext(this.cipher));
    }
    this.slots.fill(0);
    return out;
  }
}

/**
 * The coordinator's running sum: one ciphertext per chunk plus, for chunks that have masks to remove, one
 * plaintext vector of pending subtractions mod p (subtractions are summed in JavaScript and applied with
 * one SEAL `subPlain` per chunk when `result()` is called). Holds no secret key.
 */
export class BfvAccumulator extends BfvRole {
  private evaluator!: Evaluator;
  private encoder!: BatchEncoder;
  private readonly sums: (CipherText | undefined)[];
  private readonly pending: (Uint32Array | undefined)[];
  private readonly counts: number[];
  /** Chunks per vector: ceil(d / n) (see `bfvChunkCount`). */
  readonly chunkCount: number;

  constructor(params: BfvParameters, chunkCount: number) {
    if (!Number.isSafeInteger(chunkCount) || chunkCount < 1)
      throw new HeError('bad-input', `chunkCount must be a positive integer, got ${chunkCount}`);
    super(params);
    this.chunkCount = chunkCount;
    this.sums = new Array<CipherText | undefined>(chunkCount).fill(undefined);
    this.pending = new Array<Uint32Array | undefined>(chunkCount).fill(undefined);
    this.counts = new Array<number>(chunkCount).fill(0);
    this.setup(() => {
      this.evaluator = this.own(seal().Evaluator(this.opened.context));
      this.encoder = this.own(seal().BatchEncoder(this.opened.context));
    });
  }

  /** Number of ciphertexts added to chunk `chunkIndex` so far. */
  additions(chunkIndex: number): number {
    this.checkIndex(chunkIndex);
    return this.counts[chunkIndex]!; // checkIndex: 0 <= chunkIndex < chunkCount = counts.length
  }

  /** Adds one participant's ciphertext for chunk `chunkIndex`. Throws (changing nothing) when the bytes are refused. */
  add(chunkIndex: number, ciphertextBytes: Uint8Array): void {
    this.live();
    this.checkIndex(chunkIndex);
    const ct = this.loadCiphertext(ciphertextBytes, `chunk ${chunkIndex}`);
    this.absorb(chunkIndex, ct);
  }

  /** Adds all chunks of one participant's vector; every chunk is validated before any is added. */
  addVector(chunks: readonly Uint8Array[]): void {
    this.live();
    if (!Array.isArray(chunks) || chunks.length !== this.chunkCount)
      throw new HeError(
        'bad-input',
        `expected ${this.chunkCount} ciphertext chunks, got ${Array.isArray(chunks) ? chunks.length : typeof chunks}`,
      );
    const loaded: CipherText[] = [];
    try {
      for (let i = 0; i < chunks.length; i++) loaded.push(this.loadCiphertext(chunks[i], `chunk ${i}`));
    } catch (e) {
      free(...loaded);
      throw e;
    }
    let i = 0;
    try {
      for (; i < loaded.length; i++) this.absorb(i, loaded[i]!); // i < loaded.length
    } finally {
      free(...loaded.slice(i + 1)); // only if an addition failed: absorb() has freed or kept loaded[i]
    }
  }

  /** Subtracts the plaintext `words` (each below p, at most n of them, zero-extended) from chunk `chunkIndex`. */
  subtractPlain(chunkIndex: number, words: Uint32Array): void {
    this.live();
    this.checkIndex(chunkIndex);
    this.checkWords(words, this.n, `the plaintext for chunk ${chunkIndex}`);
    const p = this.p;
    const acc = (this.pending[chunkIndex] ??= new Uint32Array(this.n));
    // checkWords: words.length <= n = acc.length, so every i is in range for both arrays.
    for (let i = 0; i < words.length; i++) {
      const v = acc[i]! + words[i]!;
      acc[i] = v >= p ? v - p : v;
    }
  }

  /** Subtracts a whole plaintext vector (at most chunkCount * n words), chunk by chunk. */
  subtractPlainVector(words: Uint32Array): void {
    this.live();
    this.checkWords(words, this.chunkCount * this.n, 'the plaintext vector');
    for (let c = 0; c * this.n < words.length; c++) this.subtractPlain(c, words.subarray(c * this.n, (c + 1) * this.n));
  }

  /**
   * The serialized sum minus the pending plaintexts, one ciphertext per chunk, for the analyst. Does not
   * change the accumulator: more contributions may follow and `result()` may be called again.
   */
  result(): Uint8Array[] {
    this.live();
    const empty = this.counts.indexOf(0);
    if (empty >= 0)
      throw new HeError(
        'bad-state',
        `chunk ${empty} has no ciphertext yet: every chunk needs at least one contribution`,
      );
    const s = seal();
    return this.sums.map((sum, i) =>
      scope((keep) => {
        const pending = this.pending[i];
        if (!pending) return this.saveCiphertext(sum!);
        const plain = keep(s.PlainText());
        this.encoder.encode(pending, plain);
        const out = keep(s.CipherText({ context: this.opened.context }));
        this.evaluator.subPlain(sum!, plain, out);
        return this.saveCiphertext(out);
      }),
    );
  }

  override dispose(): void {
    const sums = this.sums.splice(0);
    try {
      free(...sums);
    } finally {
      super.dispose();
    }
  }

  private absorb(chunkIndex: number, ct: CipherText): void {
    const sum = this.sums[chunkIndex];
    if (sum === undefined) {
      this.sums[chunkIndex] = ct;
    } else {
      try {
        this.evaluator.add(sum, ct, sum);
      } finally {
        ct.delete();
      }
    }
    this.counts[chunkIndex]!++; // callers pass an index checkIndex accepted
  }

  private checkIndex(chunkIndex: number): void {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= this.chunkCount) {
      throw new HeError('bad-input', `chunk index ${chunkIndex} is outside 0..${this.chunkCount - 1}`);
    }
  }
}

/** The analyst's decryptor. */
export class BfvDecryptor extends BfvRole {
  private decryptor!: Decryptor;
  private encoder!: BatchEncoder;
  private plain!: PlainText;

  /**
   * Loads and validates the secret key (`HeError('bad-bytes' | 'wrong-parameters')` when it is not one for `params`).
   */
  constructor(params: BfvParameters, secretKeyBytes: Uint8Array) {
    super(params);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(secretKeyBytes, EnvelopeKind.BfvSecretKey, this.opened.keyParmsId);
      scope((keep) => {
        const sk = keep(s.SecretKey());
        try {
          sk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a BFV secret key: refused by SEAL (${reason(e)})`);
        }
        this.decryptor = this.own(s.Decryptor(this.opened.context, sk));
      });
      this.encoder = this.own(s.BatchEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
    });
  }

  /** The invariant noise budget (bits) of one serialized ciphertext; 0 means it no longer decrypts correctly. */
  noiseBudget(chunk: Uint8Array): number {
    this.live();
    return scope((keep) => this.decryptor.invariantNoiseBudget(keep(this.loadCiphertext(chunk, 'the ciphertext'))));
  }

  /**
   * Decrypts ceil(length / n) chunks into `length` words mod p. Checks each chunk's invariant noise budget
   * first and throws `HeError('noise-exhausted')` when it is 0 (the decryption would be garbage).
   */
  decrypt(chunks: readonly Uint8Array[], length: number): Uint32Array {
    this.live();
    const n = this.n;
    const expected = bfvChunkCount(this.params, length);
    if (!Array.isArray(chunks) || chunks.length !== expected) {
      throw new HeError(
        'bad-input',
        `a vector of ${length} words needs ${expected} chunks, got ${Array.isArray(chunks) ? chunks.length : typeof chunks}`,
      );
    }
    const out = new Uint32Array(length);
    for (let i = 0; i < chunks.length; i++) {
      scope((keep) => {
        const ct = keep(this.loadCiphertext(chunks[i], `chunk ${i}`));
        const budget = this.decryptor.invariantNoiseBudget(ct);
        if (budget <= 0) {
          throw new HeError(
            'noise-exhausted',
            `chunk ${i}: the invariant noise budget is ${budget} bits, the ciphertext no longer decrypts correctly ` +
              '(more additions than these parameters allow, or it was encrypted under another key pair)',
          );
        }
        this.decryptor.decrypt(ct, this.plain);
        const words = this.encoder.decode(this.plain, false) as Uint32Array;
        out.set(words.subarray(0, Math.min(n, length - i * n)), i * n);
      });
    }
    return out;
  }
}
