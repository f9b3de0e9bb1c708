import { randomBytes } from 'node:crypto';

/**
 * Arithmetic modulo a prime `p` with BigInt, for secret sharing. Elements are canonical bigints in [0, p)
 * and encode as fixed-length big-endian bytes.
 *
 * BigInt arithmetic is not constant time; the values handled here (shares of a seed or key) are exposed to
 * timing only on the machine that holds them, like every other JavaScript big-number library.
 */
export class PrimeField {
  /** Bits in `p`. */
  readonly bits: number;
  /** Bytes of an encoded element: ceil(bits / 8). */
  readonly byteLength: number;
  private readonly topMask: number;

  /** `p` must be an odd prime; this is not checked (the tests check the moduli in use). */
  constructor(readonly p: bigint) {
    if (p < 3n) throw new RangeError('a prime field modulus must be at least 3');
    this.bits = p.toString(2).length;
    this.byteLength = Math.ceil(this.bits / 8);
    this.topMask = (1 << (this.bits - 8 * (this.byteLength - 1))) - 1;
  }

  mod(a: bigint): bigint {
    const r = a % this.p;
    return r < 0n ? r + this.p : r;
  }

  add(a: bigint, b: bigint): bigint {
    return this.mod(a + b);
  }

  sub(a: bigint, b: bigint): bigint {
    return this.mod(a - b);
  }

  mul(a: bigint, b: bigint): bigint {
    return this.mod(a * b);
  }

  /** The multiplicative inverse (extended Euclid); throws for zero. */
  inv(a: bigint): bigint {
    let r0 = this.mod(a),
      r1 = this.p,
      s0 = 1n,
      s1 = 0n;
    if (r0 === 0n) throw new RangeError('zero has no inverse');
    while (r1 !== 0n) {
      const q = r0 / r1;
      [r0, r1] = [r1, r0 - q * r1];
      [s0, s1] = [s1, s0 - q * s1];
    }
    return this.mod(s0);
  }

  /** A uniform element: `bits` random bits from node:crypto, rejected and redrawn while >= p. */
  random(): bigint {
    for (;;) {
      const bytes = randomBytes(this.byteLength);
      bytes[0]! &= this.topMask; // byteLength >= 1
      const value = BigInt(`0x${bytes.toString('hex')}`);
      bytes.fill(0);
      if (value < this.p) return value;
    }
  }

  toBytes(a: bigint): Uint8Array {
    if (a < 0n || a >= this.p) throw new RangeError('not a canonical field element');
    const hex = a.toString(16).padStart(2 * this.byteLength, '0');
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  /** Decodes `byteLength` big-endian bytes; throws unless the value is < p. */
  fromBytes(bytes: Uint8Array): bigint {
    if (bytes.length !== this.byteLength)
      throw new RangeError(`a field element is ${this.byteLength} bytes, got ${bytes.length}`);
    const value = bytesToBigInt(bytes);
    if (value >= this.p) throw new RangeError('field element is not < p');
    return value;
  }
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0
    ? 0n
    : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}
