/**
 * Choosing and checking BFV parameters for sealed-mode aggregation. Only additions of ciphertexts and
 * subtractions of plaintexts are evaluated (no multiplications), so the smallest ring with enough noise
 * budget for the number of additions wins: n = 4096 with SEAL's default 109-bit coefficient modulus
 * (36 + 36 + 37 bits). See README.md for the measurements behind the choice.
 */
import { HeError, reason } from './errors.js';
import { batchingPrime, bfvDefaultBits, sealIsPrime } from './context.js';
import { seal } from './seal.js';

export interface BfvParameters {
  /** Ring dimension n (a power of two); also the number of batching slots per ciphertext. */
  readonly polyModulusDegree: number;
  /** Bit sizes of the coefficient-modulus primes; their total must not exceed SEAL's 128-bit maximum for n. */
  readonly coeffModulusBits: readonly number[];
  /** Plaintext modulus p: a prime below 2^32 with p = 1 mod 2n. Also the modulus of the masked integer words. */
  readonly plainModulus: bigint | number;
  /** Values per ciphertext (= polyModulusDegree). */
  readonly slots: number;
  readonly securityLevel: 128;
}

export interface BfvParameterRequest {
  /** Participants whose vectors are summed (the number of ciphertext additions per chunk). */
  readonly participants: number;
  /** Bits of one quantised coordinate (`secure.bits`); the sum must stay below p: participants * 2^bits < p. */
  readonly bitsPerCoordinate: number;
  /** Largest plaintext modulus size in bits, at most 32 (masked words travel as uint32). Default 32. */
  readonly maxPlainBits?: number;
}

/** The ring dimensions tried, smallest first. 4096 has the best throughput and size per value (README.md). */
export const BFV_DEGREES = [4096, 8192, 16384] as const;

/**
 * Invariant noise budget (bits) of a fresh public-key encryption with a 32-bit plaintext modulus under SEAL's
 * default coefficient modulus, as measured with node-seal 6.0.3; a smaller modulus leaves about one bit more
 * per bit less. Adding k fresh ciphertexts costs at most log2(k) bits.
 */
const FRESH_BUDGET_BITS_32: Readonly<Record<(typeof BFV_DEGREES)[number], number>> = {
  4096: 30,
  8192: 132,
  16384: 347,
};
/** Noise bits kept in reserve beyond log2(participants): plaintext subtractions and rounding. */
const BUDGET_MARGIN_BITS = 4;

/** The plaintext modulus as a number (it is below 2^32, so exact). */
export function plainModulusOf(params: BfvParameters): number {
  return Number(params.plainModulus);
}

/**
 * Picks n, the coefficient modulus and the plaintext modulus p for summing `participants` vectors of
 * `bitsPerCoordinate`-bit coordinates. p is SEAL's batching prime with `maxPlainBits` bits (the largest
 * prime below 2^maxPlainBits with p = 1 mod 2n); it must exceed participants * 2^bitsPerCoordinate so that
 * the sum cannot wrap. Needs `await loadSeal()` first. Throws `HeError('impossible')` naming `secure.bits`
 * and the participant count when no parameters fit.
 */
export function chooseBfvParameters(request: BfvParameterRequest): BfvParameters & { readonly plainModulus: number } {
  const { participants, bitsPerCoordinate } = request;
  const maxPlainBits = request.maxPlainBits ?? 32;
  if (!Number.isSafeInteger(participants) || participants < 1)
    throw new HeError('bad-input', `participants must be a positive integer, got ${participants}`);
  if (!Number.isInteger(bitsPerCoordinate) || bitsPerCoordinate < 1 || bitsPerCoordinate > 31) {
    throw new HeError(
      'bad-input',
      `secure.bits (bitsPerCoordinate) must be an integer from 1 to 31, got ${bitsPerCoordinate}`,
    );
  }
  if (!Number.isInteger(maxPlainBits) || maxPlainBits < 2 || maxPlainBits > 32)
    throw new HeError('bad-input', `maxPlainBits must be an integer from 2 to 32, got ${maxPlainBits}`);
  const needed = BigInt(participants) * (1n << BigInt(bitsPerCoordinate)); // p must exceed this
  const neededBits = Math.log2(participants) + BUDGET_MARGIN_BITS;
  for (const n of BFV_DEGREES) {
    const budget = FRESH_BUDGET_BITS_32[n] + (32 - maxPlainBits);
    if (budget <= neededBits) continue;
    let p: bigint;
    try {
      p = batchingPrime(n, maxPlainBits);
    } catch (e) {
      throw new HeError(
        'impossible',
        `sealed mode: no ${maxPlainBits}-bit prime p = 1 mod ${2 * n} exists for batching with n = ${n} ` +
          `(raise maxPlainBits): ${reason(e)}`,
      );
    }
    if (p <= needed) {
      const maxBits = Math.floor(Math.log2(Number(p - 1n) / participants));
      const maxParticipants = Math.floor(Number(p - 1n) / 2 ** bitsPerCoordinate);
      throw new HeError(
        'impossible',
        `sealed mode: ${participants} participants x 2^${bitsPerCoordinate} ` +
          `(secure.bits = ${bitsPerCoordinate}) = ${needed} can wrap the plaintext modulus ` +
          `p = ${p} (the largest ${maxPlainBits}-bit batching prime for n = ${n}); ` +
          (maxBits >= 1 ? `lower secure.bits to ${maxBits} or fewer, ` : '') +
          `or run with at most ${maxParticipants} participants per round`,
      );
    }
    const params = Object.freeze({
      polyModulusDegree: n,
      coeffModulusBits: Object.freeze(bfvDefaultBits(n)),
      plainModulus: Number(p),
      slots: n,
      securityLevel: 128 as const,
    });
    validateBfvParameters(params);
    return params;
  }
  throw new HeError(
    'impossible',
    `sealed mode: no ring dimension up to ${BFV_DEGREES[BFV_DEGREES.length - 1]} has noise budget for ` +
      `summing ${participants} ciphertexts`,
  );
}

/**
 * Refuses parameters below 128-bit security or unusable for batched aggregation, with a message naming the
 * offending value: n not a power of two in [1024, 32768], a coefficient-modulus total above SEAL's
 * `CoeffModulus.MaxBitCount(n, tc128)`, a plaintext modulus that is not a prime below 2^32 or not
 * = 1 mod 2n, `slots` different from n. Needs `await loadSeal()` first.
 */
export function validateBfvParameters(params: BfvParameters): void {
  const bad = (m: string) => new HeError('bad-parameters', `BFV parameters: ${m}`);
  if (typeof params !== 'object' || params === null) throw bad('expected a parameter object');
  const n = params.polyModulusDegree;
  if (!Number.isInteger(n) || n < 1024 || n > 32768 || (n & (n - 1)) !== 0)
    throw bad(`polyModulusDegree must be a power of two from 1024 to 32768, got ${n}`);
  if (params.securityLevel !== 128) throw bad(`securityLevel must be 128, got ${String(params.securityLevel)}`);
  if (params.slots !== n) throw bad(`slots must equal polyModulusDegree (${n}), got ${params.slots}`);
  const bits = params.coeffModulusBits;
  if (!Array.isArray(bits) || bits.length < 1 || !bits.every((b) => Number.isInteger(b) && b >= 2 && b <= 60)) {
    throw bad(`coeffModulusBits must be a non-empty list of integers from 2 to 60, got ${JSON.stringify(bits)}`);
  }
  const total = bits.reduce((a, b) => a + b, 0);
  const max = seal().CoeffModulus.MaxBitCount(n, seal().SecurityLevel.tc128);
  if (total > max) {
    throw bad(
      `coeffModulusBits total ${total} bits (${bits.join(' + ')}) exceeds ${max}, ` +
        `the most SEAL allows for n = ${n} at 128-bit security`,
    );
  }
  let p: bigint;
  try {
    p = BigInt(params.plainModulus);
  } catch {
    throw bad(`plainModulus must be an integer, got ${String(params.plainModulus)}`);
  }
  if (typeof params.plainModulus === 'number' && !Number.isSafeInteger(params.plainModulus))
    throw bad(`plainModulus must be an integer, got ${params.plainModulus}`);
  if (p < 2n || p >= 1n << 32n) throw bad(`plainModulus ${p} must be below 2^32 (masked words travel as uint32)`);
  if (!sealIsPrime(p)) throw bad(`plainModulus ${p} is not prime`);
  const twoN = BigInt(2 * n);
  if (p % twoN !== 1n)
    throw bad(`plainModulus ${p} does not support batching: p mod 2n = ${p % twoN}, it must be 1 (n = ${n})`);
}
