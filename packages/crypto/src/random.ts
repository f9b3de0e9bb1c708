import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** A source of uniform randomness. Every implementation draws its bits from node:crypto. */
export interface Random {
  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number;
  /** Uniform integer in [0, n) without modulo bias (rejection sampling); n <= 2^32. */
  int(n: number): number;
  /** Standard normal deviate (Box-Muller); for ML initialisation and data generation, never for DP noise. */
  gaussian(): number;
  /** Fill and return `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Uint32Array): void;
}

const BLOCK = 4096;

abstract class ByteStreamRandom implements Random {
  private buffer: Uint8Array = new Uint8Array(0);
  private pos = 0;

  protected abstract refill(n: number): Uint8Array;

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.pos >= this.buffer.length) {
        this.buffer = this.refill(Math.max(BLOCK, n - filled));
        this.pos = 0;
      }
      const take = Math.min(n - filled, this.buffer.length - this.pos);
      out.set(this.buffer.subarray(this.pos, this.pos + take), filled);
      this.pos += take;
      filled += take;
    }
    return out;
  }

  private uint32(): number {
    if (this.pos + 4 > this.buffer.length) {
      const rest = this.buffer.subarray(this.pos);
      const fresh = this.refill(BLOCK);
      const merged = new Uint8Array(rest.length + fresh.length);
      merged.set(rest, 0);
      merged.set(fresh, rest.length);
      this.buffer = merged;
      this.pos = 0;
    }
    const b = this.buffer,
      p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0; // p + 4 <= length, ensured above
  }

  float(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32)
      throw new RangeError(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const v = this.uint32();
      if (v < limit) return v % n;
    }
  }

  gaussian(): number {
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: T[] | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1); // 0 <= j <= i < items.length
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t as never;
    }
  }
}

class SeededRandom extends ByteStreamRandom {
  private readonly cipher;
  private readonly zeros = new Uint8Array(BLOCK);

  constructor(seed: string | number | Uint8Array) {
    super();
    const material =
      typeof seed === 'object' ? seed : new TextEncoder().encode(`tessera/seeded-random/${String(seed)}`);
    const key = createHash('sha256').update(material).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  protected refill(n: number): Uint8Array {
    const len = Math.ceil(n / BLOCK) * BLOCK;
    const input = len === BLOCK ? this.zeros : new Uint8Array(len);
    return new Uint8Array(this.cipher.update(input));
  }
}

class SystemRandom extends ByteStreamRandom {
  protected refill(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }
}

/** Deterministic randomness for reproducible experiments: the AES-256-CTR keystream under SHA-256(seed). */
export function seededRandom(seed: string | number | Uint8Array): Random {
  return new SeededRandom(seed);
}

/** Unpredictable randomness from the operating system (node:crypto.randomBytes). */
export function systemRandom(): Random {
  return new SystemRandom();
}

/** `seededRandom(seed)` when a seed is given, otherwise `systemRandom()`. */
export function randomFrom(seed?: string | number): Random {
  return seed === undefined ? systemRandom() : seededRandom(seed);
}
