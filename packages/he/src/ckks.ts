/**
 * CKKS (approximate arithmetic on vectors of reals) for encrypted analytics, in the same role split as BFV:
 * the analyst owns a `CkksKeyPair` and a `CkksDecryptor`; participants and the coordinator hold only public
 * material (`CkksEncryptor`, `CkksEvaluator`). Ciphertexts travel as serialized, zstd-compressed bytes in
 * this package's envelope; every evaluator operation takes and returns such bytes.
 *
 * The purpose-built operation is `CkksEvaluator.linearScore(encryptedWeights, features)`: the analyst
 * encrypts the weights w of a linear model once; a participant with the plaintext sum s of its feature
 * vectors computes Enc(<w, s>) in every slot (multiply by the plaintext, rescale, rotate-and-sum over all
 * slots, so that no partial sum of w_i s_i is left in any slot); the coordinator adds those ciphertexts;
 * the analyst decrypts sum_p <w, s_p>.
 */
import { inspect } from 'node:util';
import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import type { CKKSEncoder } from 'node-seal/implementation/ckks-encoder.js';
import type { Decryptor } from 'node-seal/implementation/decryptor.js';
import type { Encryptor } from 'node-seal/implementation/encryptor.js';
import type { Evaluator } from 'node-seal/implementation/evaluator.js';
import type { GaloisKeys } from 'node-seal/implementation/galois-keys.js';
import type { PlainText } from 'node-seal/implementation/plain-text.js';
import { validateCkksParameters, type CkksParameters } from './ckks-parameters.js';
import { openContext } from './context.js';
import { EnvelopeKind, unwrap, wrap } from './envelope.js';
import { HeError, reason } from './errors.js';
import { SealRole } from './role.js';
import { scope, seal, type Deletable } from './seal.js';

/**
 * Rotation steps 1, 2, 4, ..., span / 2: enough for rotate-and-sum over the first `span` slots (all slots by default).
 */
function powerOfTwoSteps(span: number): Int32Array {
  const steps: number[] = [];
  for (let k = 1; k < span; k *= 2) steps.push(k);
  return Int32Array.from(steps);
}

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;

abstract class CkksRole extends SealRole {
  readonly params: CkksParameters;
  protected readonly scale: number;
  protected encoder!: CKKSEncoder;

  protected constructor(params: CkksParameters) {
    validateCkksParameters(params);
    super(openContext('ckks', params.polyModulusDegree, params.coeffModulusBits));
    this.params = params;
    this.scale = 2 ** params.scaleBits;
  }

  protected loadCiphertext(bytes: unknown, what: string): CipherText {
    const payload = unwrap(bytes, EnvelopeKind.CkksCiphertext, this.opened.keyParmsId, what);
    const ct = seal().CipherText();
    try {
      try {
        ct.loadArray(this.opened.context, payload);
      } catch (e) {
        throw new HeError('bad-bytes', `${what}: refused by SEAL (${reason(e)})`);
      }
      if (ct.size !== 2) throw new HeError('bad-bytes', `${what}: has ${ct.size} components, expected 2`);
      if (!ct.isNttForm || !(ct.scale > 0))
        throw new HeError('bad-bytes', `${what}: is not a CKKS ciphertext (NTT form, positive scale)`);
      if (ct.isTransparent) throw new HeError('bad-bytes', `${what}: is transparent (not encrypted)`);
      return ct;
    } catch (e) {
      ct.delete();
      throw e;
    }
  }

  protected saveCiphertext(ct: CipherText): Uint8Array {
    return wrap(EnvelopeKind.CkksCiphertext, this.opened.keyParmsId, ct.saveArray(seal().ComprModeType.zstd));
  }

  protected checkValues(values: unknown, what: string): asserts values is Float64Array {
    if (!(values instanceof Float64Array)) throw new HeError('bad-input', `${what} must be a Float64Array`);
    if (values.length > this.params.slots)
      throw new HeError(
        'bad-input',
        `${what} has ${values.length} values, at most ${this.params.slots} fit in one ciphertext`,
      );
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) throw new HeError('bad-input', `${what}: value ${i} is not finite`);
  }

  /** Encodes `values` at the scale 2^scaleBits, at the level of a ciphertext with `coeffCount` primes. */
  protected encodeAt(values: Float64Array, coeffCount: number, plain: PlainText, evaluator: Evaluator): void {
    this.encoder.encode(values, this.scale, plain);
    for (let c = this.opened.firstCoeffCount; c > coeffCount; c--) evaluator.plainModSwitchToNext(plain, plain);
  }
}

/**
 * The analyst's CKKS keys. `publicKey` and `galoisKeys` (rotations by 1, 2, 4, ..., slots / 2, needed by
 * `rotateSum` and `linearScore`) are public; the secret key comes out only through `secretKeyBytes()`.
 */
export class CkksKeyPair {
  readonly #secretKey: Uint8Array;

  private constructor(
    readonly params: CkksParameters,
    readonly publicKey: Uint8Array,
    readonly galoisKeys: Uint8Array | undefined,
    secretKey: Uint8Array,
  ) {
    this.#secretKey = secretKey;
  }

  /**
   * Generates keys; `galoisKeys: false` skips the (large, slow) rotation keys; `rotationSpan` (a power
   * of two) limits them to sums over the first `rotationSpan` slots (fewer, smaller keys).
   */
  static generate(params: CkksParameters, options: { galoisKeys?: boolean; rotationSpan?: number } = {}): CkksKeyPair {
    validateCkksParameters(params);
    const span = options.rotationSpan ?? params.slots;
    if (!isPowerOfTwo(span) || span > params.slots)
      throw new HeError('bad-input', `rotationSpan must be a power of two from 2 to ${params.slots}, got ${span}`);
    const opened = openContext('ckks', params.polyModulusDegree, params.coeffModulusBits);
    try {
      return scope((keep) => {
        const s = seal();
        const zstd = s.ComprModeType.zstd;
        const generator = keep(s.KeyGenerator(opened.context));
        const pk = wrap(
          EnvelopeKind.CkksPublicKey,
          opened.keyParmsId,
          keep(generator.createPublicKeySerializable()).saveArray(zstd),
        );
        const gk =
          options.galoisKeys === false
            ? undefined
            : wrap(
                EnvelopeKind.CkksGaloisKeys,
                opened.keyParmsId,
                keep(generator.createGaloisKeysSerializable(powerOfTwoSteps(span))).saveArray(zstd),
              );
        const sk = keep(s.SecretKey());
        const raw = (generator.instance as { secretKey(): Deletable }).secretKey(); // see BfvKeyPair.generate
        try {
          sk.inject(raw);
        } finally {
          raw.delete();
        }
        return new CkksKeyPair(params, pk, gk, wrap(EnvelopeKind.CkksSecretKey, opened.keyParmsId, sk.saveArray(zstd)));
      });
    } finally {
      opened.context.delete();
    }
  }

  secretKeyBytes(): Uint8Array {
    return this.#secretKey.slice();
  }

  toJSON(): { scheme: 'ckks'; params: CkksParameters; publicKey: string; galoisKeys?: string } {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    return {
      scheme: 'ckks',
      params: this.params,
      publicKey: b64(this.publicKey),
      ...(this.galoisKeys ? { galoisKeys: b64(this.galoisKeys) } : {}),
    };
  }

  toString(): string {
    return (
      `CkksKeyPair(n = ${this.params.polyModulusDegree}, public key ${this.publicKey.length} bytes, ` +
      `Galois keys ${this.galoisKeys?.length ?? 0} bytes, secret key hidden)`
    );
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Encrypts vectors of reals under the analyst's CKKS public key. */
export class CkksEncryptor extends CkksRole {
  private encryptor!: Encryptor;
  private plain!: PlainText;
  private cipher!: CipherText;

  constructor(params: CkksParameters, publicKeyBytes: Uint8Array) {
    super(params);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(publicKeyBytes, EnvelopeKind.CkksPublicKey, this.opened.keyParmsId);
      scope((keep) => {
        const pk = keep(s.PublicKey());
        try {
          pk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a CKKS public key: refused by SEAL (${reason(e)})`);
        }
        this.encryptor = this.own(s.Encryptor(this.opened.context, pk));
      });
      this.encoder = this.own(s.CKKSEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
      this.cipher = this.own(s.CipherText({ context: this.opened.context }));
    });
  }

  /** Encrypts up to `slots` values (the rest of the slots are 0) at the scale 2^scaleBits. */
  encrypt(values: Float64Array): Uint8Array {
    this.live();
    this.checkValues(values, 'the vector to encrypt');
    this.encoder.encode(values, this.scale, this.plain);
    this.encryptor.encrypt(this.plain, this.cipher);
    return this.saveCiphertext(this.cipher);
  }
}

/** Public-key-free evaluation: additions, plaintext multiplications, rescaling, rotate-and-sum, linear scores. */
export class CkksEvaluator extends CkksRole {
  private evaluator!: Evaluator;
  private galois: GaloisKeys | undefined;

  /** `galoisKeyBytes` (from `CkksKeyPair.galoisKeys`) are needed only by `rotateSum` and `linearScore`. */
  constructor(params: CkksParameters, galoisKeyBytes?: Uint8Array) {
    super(params);
    this.setup(() => {
      const s = seal();
      this.evaluator = this.own(s.Evaluator(this.opened.context));
      this.encoder = this.own(s.CKKSEncoder(this.opened.context));
      if (galoisKeyBytes !== undefined) {
        const payload = unwrap(galoisKeyBytes, EnvelopeKind.CkksGaloisKeys, this.opened.keyParmsId);
        const gk = this.own(s.GaloisKeys());
        try {
          gk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `CKKS Galois keys: refused by SEAL (${reason(e)})`);
        }
        this.galois = gk;
      }
    });
  }

  /** Enc(a + b); both must be at the same level and scale (as results of the same operations are). */
  add(a: Uint8Array, b: Uint8Array): Uint8Array {
    this.live();
    return scope((keep) => {
      const x = keep(this.loadCiphertext(a, 'the first summand'));
      const y = keep(this.loadCiphertext(b, 'the second summand'));
      if (x.coeffModulusSize !== y.coeffModulusSize || x.scale !== y.scale) {
        throw new HeError(
          'bad-input',
          'cannot add CKKS ciphertexts at different levels or scales ' +
            `(${x.coeffModulusSize} vs ${y.coeffModulusSize} primes, ` +
            `scale 2^${Math.log2(x.scale).toFixed(3)} vs 2^${Math.log2(y.scale).toFixed(3)})`,
        );
      }
      this.evaluator.add(x, y, x);
      return this.saveCiphertext(x);
    });
  }

  /** Enc(a * values) slot by slot, at scale a.scale * 2^scaleBits (call `rescale` next). */
  multiplyPlain(a: Uint8Array, values: Float64Array): Uint8Array {
    this.live();
    this.checkValues(values, 'the plaintext factor');
    return scope((keep) => {
      const x = keep(this.loadCiphertext(a, 'the ciphertext'));
      this.multiplyInPlace(x, values, keep(seal().PlainText()));
      return this.saveCiphertext(x);
    });
  }

  /** Divides by the last prime of the ciphertext's modulus (dropping it): scale 2^80 -> about 2^40. */
  rescale(a: Uint8Array): Uint8Array {
    this.live();
    return scope((keep) => {
      const x = keep(this.loadCiphertext(a, 'the ciphertext'));
      this.rescaleInPlace(x);
      return this.saveCiphertext(x);
    });
  }

  /** Every slot gets the sum of all slots (log2(slots) rotations and additions). Needs the Galois keys. */
  rotateSum(a: Uint8Array): Uint8Array {
    this.live();
    return scope((keep) => {
      const x = keep(this.loadCiphertext(a, 'the ciphertext'));
      this.rotateSumInPlace(x, keep(seal().CipherText({ context: this.opened.context })));
      return this.saveCiphertext(x);
    });
  }

  /**
   * Enc(<w, features>) in every slot, from the encrypted weights w (a fresh encryption from `CkksEncryptor`)
   * and a plaintext feature vector (at most `slots` values; for example the sum of a participant's records).
   * The coordinator adds such results with `add`; the analyst decrypts slot 0. Needs the Galois keys.
   */
  linearScore(encryptedWeights: Uint8Array, features: Float64Array, span?: number): Uint8Array {
    this.live();
    this.checkValues(features, 'the feature vector');
    if (span !== undefined && (!isPowerOfTwo(span) || span > this.params.slots || features.length > span)) {
      throw new HeError(
        'bad-input',
        `span must be a power of two from ${features.length} to ${this.params.slots}, got ${span}`,
      );
    }
    if (!this.galois)
      throw new HeError(
        'bad-state',
        'linearScore needs the Galois keys: construct the CkksEvaluator with CkksKeyPair.galoisKeys',
      );
    return scope((keep) => {
      const x = keep(this.loadCiphertext(encryptedWeights, 'the encrypted weights'));
      if (x.coeffModulusSize !== this.opened.firstCoeffCount)
        throw new HeError('bad-input', 'the encrypted weights must be a fresh encryption (at the first level)');
      this.multiplyInPlace(x, this.nonZeroFactor(features, span), keep(seal().PlainText()));
      this.rescaleInPlace(x);
      this.rotateSumInPlace(x, keep(seal().CipherText({ context: this.opened.context })), span);
      if (span !== undefined && span < this.params.slots) {
        // Slots other than 0 hold partial sums of the products: keep slot 0 only, so nothing but the score is revealed.
        const first = new Float64Array(this.params.slots);
        first[0] = 1;
        this.multiplyInPlace(x, first, keep(seal().PlainText()));
        this.rescaleInPlace(x);
      }
      return this.saveCiphertext(x);
    });
  }

  /**
   * The factor of a linear score: `features` itself, or, when every feature is 0 (an empty segment),
   * 0 over the span and 1 in slot `span`, outside it. SEAL refuses a product by the zero plaintext
   * (its result would be transparent, not encrypted); slot `span` never reaches slot 0 in the
   * rotate-and-sum over the span, and the product by e_0 that follows clears it, so the score is an
   * encryption of exactly 0 at the level and scale of every other score.
   */
  private nonZeroFactor(features: Float64Array, span: number | undefined): Float64Array {
    if (features.some((v) => v !== 0)) return features;
    const s = span ?? this.params.slots;
    if (s >= this.params.slots)
      throw new HeError(
        'bad-input',
        'an all-zero feature vector (an empty segment) is scored only with a span below the slot count; ' +
          `this model spans all ${this.params.slots} slots`,
      );
    const out = new Float64Array(s + 1);
    out[s] = 1;
    return out;
  }

  private multiplyInPlace(x: CipherText, values: Float64Array, plain: PlainText): void {
    this.encodeAt(values, x.coeffModulusSize, plain, this.evaluator);
    try {
      this.evaluator.multiplyPlain(x, plain, x);
    } catch (e) {
      throw new HeError('bad-input', `multiplication by a plaintext failed: ${reason(e)}`);
    }
  }

  private rescaleInPlace(x: CipherText): void {
    if (x.coeffModulusSize < 2)
      throw new HeError('bad-input', 'the ciphertext is at the last level: no prime left to rescale by');
    try {
      this.evaluator.rescaleToNext(x, x);
    } catch (e) {
      throw new HeError('bad-input', `rescale failed: ${reason(e)}`);
    }
  }

  private rotateSumInPlace(x: CipherText, tmp: CipherText, span = this.params.slots): void {
    const galois = this.galois;
    if (!galois)
      throw new HeError(
        'bad-state',
        'rotateSum needs the Galois keys: construct the CkksEvaluator with CkksKeyPair.galoisKeys',
      );
    for (let step = 1; step < span; step *= 2) {
      this.evaluator.rotateVector(x, step, galois, tmp);
      this.evaluator.add(x, tmp, x);
    }
  }
}

/** The analyst's CKKS decryptor. */
export class CkksDecryptor extends CkksRole {
  private decryptor!: Decryptor;
  private plain!: PlainText;

  constructor(params: CkksParameters, secretKeyBytes: Uint8Array) {
    super(params);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(secretKeyBytes, EnvelopeKind.CkksSecretKey, this.opened.keyParmsId);
      scope((keep) => {
        const sk = keep(s.SecretKey());
        try {
          sk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a CKKS secret key: refused by SEAL (${reason(e)})`);
        }
        this.decryptor = this.own(s.Decryptor(this.opened.context, sk));
      });
      this.encoder = this.own(s.CKKSEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
    });
  }

  /** The first `length` slots (default all) of a ciphertext, decrypted and decoded. */
  decrypt(ciphertext: Uint8Array, length = this.params.slots): Float64Array {
    this.live();
    if (!Number.isInteger(length) || length < 0 || length > this.params.slots)
      throw new HeError('bad-input', `length must be an integer from 0 to ${this.params.slots}, got ${length}`);
    return scope((keep) => {
      const x = keep(this.loadCiphertext(ciphertext, 'the ciphertext'));
      this.decryptor.decrypt(x, this.plain);
      return this.encoder.decode(this.plain).slice(0, length);
    });
  }
}
