import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import { plainModulusOf, validateBfvParameters, type BfvParameters } from './bfv-parameters.js';
import { openContext } from './context.js';
import { EnvelopeKind, unwrap, wrap } from './envelope.js';
import { HeError, reason } from './errors.js';
import { SealRole } from './role.js';
import { seal } from './seal.js';

/** Number of ciphertext chunks for a vector of `length` words: ceil(length / n). */
export function bfvChunkCount(params: BfvParameters, length: number): number {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new HeError('bad-input', `vector length must be a non-negative integer, got ${length}`);
  return Math.ceil(length / params.polyModulusDegree);
}

/** A validated BFV context, the plaintext modulus, and the ciphertext checks every role shares. */
export abstract class BfvRole extends SealRole {
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
          `${what}: is not at the first data level of these parameters (${ct.coeffModulusSize} primes, ` +
            `expected ${this.opened.firstCoeffCount})`,
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
