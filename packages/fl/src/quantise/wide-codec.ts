import { checkModulus } from './ring.js';

/**
 * Exact fixed-point encoding of unbounded statistics (counts, sums, sums of squares) for
 * secure aggregation in a 32-bit ring: each value is rounded to a multiple of 2^-fractionBits,
 * offset to be non-negative below 2^64, and split into four 16-bit digits, one ring word each.
 * Digit sums cannot wrap for fewer than 2^16 participants, so the sum decodes exactly.
 */
export const WIDE_DIGITS = 4;
const DIGIT_BITS = 16n;
const DIGIT_MASK = (1n << DIGIT_BITS) - 1n;
const OFFSET = 1n << 63n;

export interface WideCodec {
  fractionBits: number;
  modulus: number;
}

export const DEFAULT_WIDE: WideCodec = { fractionBits: 16, modulus: 2 ** 32 };

/** A wide codec from JSON that crossed a process boundary (a sealed aggregate's decode_json), checked. */
export function wideCodecOf(value: unknown, where: string): WideCodec {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { fractionBits, modulus } = o;
  if (typeof fractionBits !== 'number' || !Number.isInteger(fractionBits) || fractionBits < 0 || fractionBits > 52)
    throw new RangeError(`${where}.fractionBits must be an integer from 0 to 52, got ${JSON.stringify(fractionBits)}`);
  if (typeof modulus !== 'number')
    throw new RangeError(`${where}.modulus must be a number, got ${JSON.stringify(modulus)}`);
  checkModulus(modulus);
  return { fractionBits, modulus };
}

export function checkWideCodec(c: WideCodec, participants: number): void {
  checkModulus(c.modulus);
  if (participants * 2 ** 16 > c.modulus)
    throw new RangeError(
      `${participants} participants can wrap 16-bit digit sums in a ring mod ${c.modulus}; ` +
        'use a 2^32 modulus or fewer participants',
    );
}

export function encodeWide(values: ArrayLike<number>, c: WideCodec): Uint32Array {
  const out = new Uint32Array(values.length * WIDE_DIGITS);
  const scale = 2 ** c.fractionBits;
  const limit = 2 ** (63 - c.fractionBits);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!; // i < values.length
    if (!Number.isFinite(v) || Math.abs(v) >= limit)
      throw new RangeError(`value ${v} at index ${i} is outside the encodable range ±2^${63 - c.fractionBits}`);
    let u = BigInt(Math.round(v * scale)) + OFFSET;
    for (let k = 0; k < WIDE_DIGITS; k++) {
      out[i * WIDE_DIGITS + k] = Number(u & DIGIT_MASK);
      u >>= DIGIT_BITS;
    }
  }
  return out;
}

/** Decodes the ring sum of `contributors` wide-encoded vectors back to the sums of their values. */
export function decodeWideSum(sum: Uint32Array, contributors: number, c: WideCodec): Float64Array {
  if (sum.length % WIDE_DIGITS !== 0)
    throw new RangeError(`a wide-encoded vector has a multiple of ${WIDE_DIGITS} words, got ${sum.length}`);
  const out = new Float64Array(sum.length / WIDE_DIGITS);
  const offset = OFFSET * BigInt(contributors);
  for (let i = 0; i < out.length; i++) {
    let total = 0n;
    // sum.length = out.length * WIDE_DIGITS, so every digit index is in range.
    for (let k = WIDE_DIGITS - 1; k >= 0; k--) total = (total << DIGIT_BITS) + BigInt(sum[i * WIDE_DIGITS + k]!);
    out[i] = Number(total - offset) / 2 ** c.fractionBits;
  }
  return out;
}
