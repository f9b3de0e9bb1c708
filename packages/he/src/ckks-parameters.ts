/**
 * CKKS parameters for encrypted analytics that need one plaintext multiplication (for example scoring an
 * encrypted linear model on local data). The default is n = 8192 (4096 slots) with a 60 + 40 + 40 + 60-bit
 * coefficient modulus (200 of the 218 bits SEAL allows at 128-bit security) and scale 2^40: one rescale,
 * then rotations, leave a 60 + 40-bit modulus with about 19 bits of integer headroom above 2^40 precision.
 */
import { HeError } from './errors.js';
import { seal } from './seal.js';

export interface CkksParameters {
  /** Ring dimension n (a power of two). */
  readonly polyModulusDegree: number;
  /**
   * Bit sizes of the coefficient-modulus primes: [first (holds the result), middle (one per rescale)..., special (key
   * switching)].
   */
  readonly coeffModulusBits: readonly number[];
  /** log2 of the encoding scale; should equal the middle primes' size so that a rescale restores it. */
  readonly scaleBits: number;
  /** Values per ciphertext (= n / 2). */
  readonly slots: number;
  readonly securityLevel: 128;
}

/** n = 8192, [60, 40, 40, 60], scale 2^40: 4096 slots, one multiplication by a plaintext, rotations. */
export function defaultCkksParameters(): CkksParameters {
  return Object.freeze({
    polyModulusDegree: 8192,
    coeffModulusBits: Object.freeze([60, 40, 40, 60]),
    scaleBits: 40,
    slots: 4096,
    securityLevel: 128 as const,
  });
}

/**
 * Refuses parameters below 128-bit security (total coefficient-modulus bits above SEAL's
 * `CoeffModulus.MaxBitCount(n, tc128)`) or unusable for one multiplication and rescale, naming the value.
 */
export function validateCkksParameters(params: CkksParameters): void {
  const bad = (m: string) => new HeError('bad-parameters', `CKKS parameters: ${m}`);
  if (typeof params !== 'object' || params === null) throw bad('expected a parameter object');
  const n = params.polyModulusDegree;
  if (!Number.isInteger(n) || n < 1024 || n > 32768 || (n & (n - 1)) !== 0)
    throw bad(`polyModulusDegree must be a power of two from 1024 to 32768, got ${n}`);
  if (params.securityLevel !== 128) throw bad(`securityLevel must be 128, got ${String(params.securityLevel)}`);
  if (params.slots !== n / 2) throw bad(`slots must be polyModulusDegree / 2 (${n / 2}), got ${params.slots}`);
  const bits = params.coeffModulusBits;
  if (!Array.isArray(bits) || bits.length < 3 || !bits.every((b) => Number.isInteger(b) && b >= 2 && b <= 60)) {
    throw bad(
      'coeffModulusBits must list at least 3 integers from 2 to 60 ' +
        `(first, one per rescale, special), got ${JSON.stringify(bits)}`,
    );
  }
  const total = bits.reduce((a, b) => a + b, 0);
  const max = seal().CoeffModulus.MaxBitCount(n, seal().SecurityLevel.tc128);
  if (total > max)
    throw bad(
      `coeffModulusBits total ${total} bits (${bits.join(' + ')}) exceeds ${max}, ` +
        `the most SEAL allows for n = ${n} at 128-bit security`,
    );
  const s = params.scaleBits;
  if (!Number.isInteger(s) || s < 10 || s >= bits[0])
    throw bad(`scaleBits must be an integer from 10 to below the first prime's ${bits[0]} bits, got ${s}`);
}

/**
 * CKKS parameters from JSON that crossed a process boundary (a scoring submission, a score task): the
 * shape is checked here and the values by `validateCkksParameters`; the security level is always 128.
 */
export function ckksParametersFromJson(text: string, where: string): CkksParameters {
  const bad = (m: string) => new HeError('bad-parameters', `${where}: ${m}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad('expected {polyModulusDegree, coeffModulusBits, scaleBits, slots}');
  const o = raw as Record<string, unknown>;
  const int = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${key} must be an integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const bits = o.coeffModulusBits;
  if (!Array.isArray(bits) || !bits.every((b) => typeof b === 'number' && Number.isInteger(b)))
    throw bad(`coeffModulusBits must be a list of integers, got ${JSON.stringify(bits)}`);
  return {
    polyModulusDegree: int('polyModulusDegree'),
    coeffModulusBits: bits as number[],
    scaleBits: int('scaleBits'),
    slots: int('slots'),
    securityLevel: 128,
  };
}
