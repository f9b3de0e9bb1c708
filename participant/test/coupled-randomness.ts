import type { RecordRandomness } from '@tessera/fl';
import type { Random } from '@tessera/ml';

/**
 * Test-only randomness for coupling two data sets: each record's draws (its selection key, its
 * rounding stream) and the release's shared stream are a fixed function of (seed, record index),
 * so the records D and D ∪ {x} share get identical draws when x is appended last. A fast
 * non-cryptographic generator (sfc32 seeded by cyrb128): the harness measures sensitivity, it
 * protects nothing; production draws come from node:crypto (secretRecordRandomness).
 */
export function coupledRandomness(seed: string): RecordRandomness {
  return {
    key: (i) => new Sfc32(`${seed}/key/${i}`).float(),
    rounding: (i) => new Sfc32(`${seed}/rounding/${i}`),
    shared: () => new Sfc32(`${seed}/shared`),
  };
}

/** A deterministic stream, for draws that are not per record (global models, resampled rows). */
export const testRandom = (seed: string): Random => new Sfc32(seed);

function cyrb128(s: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(seed);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  private uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  int(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const v = this.uint32();
      if (v < limit) return v % n;
    }
  }

  gaussian(): number {
    let u = 0;
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.uint32() & 0xff);
  }

  shuffle<T>(items: T[] | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t as never;
    }
  }
}
