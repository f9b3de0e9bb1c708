import { describe, expect, it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { addPrgWords, addPrgWordsMany, hkdfSha256, prgWords, seededRandom, toHex } from '../src/index.js';
import { chiSquareCritical, chiSquareUniform } from './stats.js';

const TWO_32 = 2 ** 32;
const seedOf = (label: string) => seededRandom(`prg-test/${label}`).bytes(32);
const counting = Uint8Array.from({ length: 32 }, (_, i) => i);

/** The documented keystream, built directly from node:crypto: AES-128-CTR, key = HKDF(...)[0..16), IV = 0. */
function referenceKeystream(seed: Uint8Array, bytes: number): Uint8Array {
  const key = hkdfSha256(seed, new Uint8Array(0), 'tessera/prg', 32).subarray(0, 16);
  return new Uint8Array(createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(new Uint8Array(bytes)));
}

/** Keystream bytes as little-endian 32-bit words. */
function littleEndianWords(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length >>> 2 }, (_, i) => view.getUint32(4 * i, true));
}

/** The documented reduction, written plainly: reject v >= floor(2^32 / m) * m, then v mod m. */
function referenceWords(seed: Uint8Array, count: number, modulus: number): number[] {
  const limit = Math.floor(TWO_32 / modulus) * modulus;
  const out: number[] = [];
  let bytes = 4 * count + 64;
  while (out.length < count) {
    out.length = 0;
    for (const v of littleEndianWords(referenceKeystream(seed, bytes))) {
      if (v < limit && out.length < count) out.push(v % modulus);
    }
    bytes *= 2;
  }
  return out;
}

const MODULI = [
  2,
  3,
  7,
  256,
  1000003,
  2 ** 16,
  2 ** 30 - 1,
  2 ** 30 + 1,
  3 * 2 ** 29 + 1,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 31 + 1,
  2 ** 32 - 5,
  TWO_32,
];

describe('mask PRG (AES-128-CTR)', () => {
  it('derives the AES key with HKDF-SHA-256 (cross-checked against @noble/hashes)', () => {
    const okm = hkdf(sha256, counting, new Uint8Array(0), new TextEncoder().encode('tessera/prg'), 32);
    expect(toHex(hkdfSha256(counting, new Uint8Array(0), 'tessera/prg', 32))).toBe(toHex(okm));
  });

  it('for modulus 2^32 outputs the node:crypto AES-128-CTR keystream of zeros as little-endian words', () => {
    for (const count of [0, 1, 5, 16384, 16385, 100_000]) {
      const seed = seedOf(`kat-${count}`);
      expect(Array.from(prgWords(seed, count, TWO_32))).toEqual(littleEndianWords(referenceKeystream(seed, 4 * count)));
    }
    // little-endian, spelled out: keystream bytes b0..b3 make the word b0 + 2^8 b1 + 2^16 b2 + 2^24 b3
    const ks = referenceKeystream(counting, 4);
    expect(prgWords(counting, 1, TWO_32)[0]).toBe(ks[0] + ks[1] * 2 ** 8 + ks[2] * 2 ** 16 + ks[3] * 2 ** 24);
  });

  it('keeps its regression vector (seed = 00 01 .. 1f)', () => {
    expect(Array.from(prgWords(counting, 8, TWO_32))).toEqual([
      605502304, 409148488, 2726989766, 1181934375, 3815282294, 1310985210, 1268726275, 1088936969,
    ]);
    expect(Array.from(prgWords(counting, 12, 1000003))).toEqual([
      500489, 147261, 981588, 930832, 270849, 981280, 722471, 933705, 736397, 60711, 593891, 538388,
    ]);
  });

  it('is deterministic in the seed and different across seeds', () => {
    const a = seedOf('a'),
      b = seedOf('b');
    expect(toHex(new Uint8Array(prgWords(a, 1000, TWO_32).buffer))).toBe(
      toHex(new Uint8Array(prgWords(a, 1000, TWO_32).buffer)),
    );
    expect(toHex(new Uint8Array(prgWords(a, 1000, TWO_32).buffer))).not.toBe(
      toHex(new Uint8Array(prgWords(b, 1000, TWO_32).buffer)),
    );
    const flipped = a.slice();
    flipped[31] ^= 1;
    expect(prgWords(flipped, 4, TWO_32)).not.toEqual(prgWords(a, 4, TWO_32));
  });

  it.each(MODULI)('matches the plain rejection-sampling reference for modulus %i, at every length', (modulus) => {
    const seed = seedOf(`ref-${modulus}`);
    const long = referenceWords(seed, 40_000, modulus);
    expect(Array.from(prgWords(seed, 40_000, modulus))).toEqual(long);
    for (const count of [1, 3, 17, 16384, 16385])
      expect(Array.from(prgWords(seed, count, modulus))).toEqual(long.slice(0, count));
  });

  it('rejection sampling for modulus 3: 10^6 words, all < 3, chi-square uniform', () => {
    for (const label of ['chi-3-a', 'chi-3-b']) {
      const words = prgWords(seedOf(label), 1_000_000, 3);
      const counts = [0, 0, 0];
      for (const w of words) counts[w]++; // an out-of-range w would make a NaN count
      expect(counts[0] + counts[1] + counts[2]).toBe(1_000_000);
      expect(words.reduce((m, w) => Math.max(m, w), 0)).toBeLessThan(3);
      expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(2));
    }
  });

  it('never outputs a value >= modulus, for moduli that reject often', () => {
    for (const modulus of [2 ** 31 + 1, 3 * 2 ** 29 + 1, 2 ** 30 + 1, 5]) {
      let max = 0;
      for (const w of prgWords(seedOf(`max-${modulus}`), 200_000, modulus)) max = Math.max(max, w);
      expect(max).toBeLessThan(modulus);
      expect(max).toBeGreaterThanOrEqual(Math.floor(modulus * 0.999)); // and reaches the top of the range
    }
  });

  it('for modulus 2^32, the top 8 bits are chi-square uniform over 256 buckets', () => {
    for (const label of ['chi-32-a', 'chi-32-b']) {
      const counts = new Array<number>(256).fill(0);
      for (const w of prgWords(seedOf(label), 1_000_000, TWO_32)) counts[w >>> 24]++;
      expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(255));
    }
  });

  it.each(MODULI)('addPrgWords(+1) equals adding prgWords elementwise, and -1 undoes it (modulus %i)', (modulus) => {
    const seed = seedOf(`add-${modulus}`);
    const n = 40_000;
    const original = new Uint32Array(n);
    const values = seededRandom(`values-${modulus}`);
    for (let i = 0; i < n; i++) original[i] = values.int(modulus);
    original[0] = modulus - 1;
    original[1] = 0;
    const words = prgWords(seed, n, modulus);
    const target = original.slice();
    addPrgWords(target, seed, modulus, 1);
    for (let i = 0; i < n; i++) {
      if (target[i] !== (original[i] + words[i]) % modulus)
        throw new Error(`+1 at ${i}: ${target[i]} != (${original[i]} + ${words[i]}) mod ${modulus}`);
    }
    addPrgWords(target, seed, modulus, -1);
    expect(toHex(new Uint8Array(target.buffer))).toBe(toHex(new Uint8Array(original.buffer)));
    const negated = original.slice();
    addPrgWords(negated, seed, modulus, -1);
    for (let i = 0; i < n; i++) {
      if (negated[i] !== (original[i] - words[i] + modulus) % modulus)
        throw new Error(`-1 at ${i} (modulus ${modulus})`);
    }
  });

  it('masks cancel: the sum of +mask and -mask over two targets is the plain sum', () => {
    const seed = seedOf('cancel');
    const modulus = 2 ** 32 - 5;
    const a = Uint32Array.from({ length: 5000 }, (_, i) => i),
      b = Uint32Array.from({ length: 5000 }, (_, i) => 3 * i);
    addPrgWords(a, seed, modulus, 1);
    addPrgWords(b, seed, modulus, -1);
    for (let i = 0; i < 5000; i++) expect((a[i] + b[i]) % modulus).toBe(4 * i);
  });

  it('reduces target entries that are not below the modulus', () => {
    const seed = seedOf('reduce');
    for (const modulus of [3, 1000003, 2 ** 31 + 1, 2 ** 16]) {
      const words = prgWords(seed, 3, modulus);
      const target = Uint32Array.from([modulus, modulus + 1, 0xffffffff]);
      addPrgWords(target, seed, modulus, 1);
      expect(Array.from(target)).toEqual([0, 1, 0xffffffff % modulus].map((v, i) => (v + words[i]) % modulus));
    }
  });

  it('rejects bad seeds, moduli, counts and signs', () => {
    const seed = seedOf('bad');
    expect(() => prgWords(new Uint8Array(16), 1, 3)).toThrow(/seed is 32 bytes/);
    for (const modulus of [0, 1, 2.5, TWO_32 + 1, Number.NaN])
      expect(() => prgWords(seed, 1, modulus)).toThrow(/modulus/);
    expect(() => prgWords(seed, -1, 3)).toThrow(/count/);
    expect(() => addPrgWords(new Uint32Array(1), seed, 3, 0 as 1)).toThrow(/sign/);
    expect(() => addPrgWords([0] as unknown as Uint32Array, seed, 3, 1)).toThrow(/Uint32Array/);
  });

  it('addPrgWordsMany gives what one addPrgWords per seed gives, for every kind of modulus', () => {
    const rng = seededRandom('prg-many');
    for (const modulus of [TWO_32, 2 ** 20, 2, 2 ** 31 - 1, 65_537]) {
      for (const [count, streams] of [
        [0, 3],
        [7, 0],
        [5, 1],
        [16_385, 6],
        [40_000, 9],
      ] as const) {
        const seeds = Array.from({ length: streams }, (_, j) => seedOf(`many-${modulus}-${count}-${j}`));
        const signs = seeds.map(() => (rng.int(2) === 0 ? 1 : -1) as 1 | -1);
        // Entries above the modulus are reduced, as addPrgWords does.
        const start = Uint32Array.from({ length: count }, () => rng.int(2 ** 32));
        const one = start.slice();
        seeds.forEach((s, j) => {
          addPrgWords(one, s, modulus, signs[j]!);
        });
        const many = start.slice();
        addPrgWordsMany(many, seeds, modulus, signs);
        if (streams === 0) expect(Array.from(many)).toEqual(Array.from(start));
        else expect(Array.from(many)).toEqual(Array.from(one));
      }
    }
    expect(() => addPrgWordsMany(new Uint32Array(1), [counting], 3, [])).toThrow(/1 seeds but 0 signs/);
    expect(() => addPrgWordsMany(new Uint32Array(1), [counting], 3, [0 as 1])).toThrow(/sign/);
  });
});
