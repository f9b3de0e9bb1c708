import { describe, expect, it } from 'vitest';
import { randomBytes, randomInt } from 'node:crypto';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { PSI_DST } from '@tessera/psi';
import {
  expandMessageXmd64,
  GROUP_ORDER,
  hashToGroup,
  isValidNonIdentityPoint,
  psiReady,
  randomScalar,
  randomScalarBytes,
  scalarBytesInRange,
  scalarFromBytes,
  scalarMult,
  scalarToBytes,
} from '../src/group.js';

// libsodium (WebAssembly) does the group arithmetic; @noble/curves is kept as an independent reference here.
await psiReady();

const Point = ristretto255.Point;
type NoblePoint = InstanceType<typeof Point>;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = new TextEncoder();
const nobleH = (id: string, dst = PSI_DST): NoblePoint =>
  ristretto255_hasher.hashToCurve(utf8.encode(id), { DST: dst });

/** A random string: ASCII, Latin-1, BMP and astral characters, length 0..40. */
function randomId(): string {
  const pools = [
    [0x20, 0x7e],
    [0xa0, 0xff],
    [0x370, 0x3ff],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1f6ff],
  ] as const;
  let s = '';
  const len = randomInt(0, 41);
  for (let i = 0; i < len; i++) {
    const [lo, hi] = pools[randomInt(0, pools.length)];
    s += String.fromCodePoint(randomInt(lo, hi + 1));
  }
  return s;
}

const DSTS = [
  PSI_DST,
  'QUUX-V01-CS02-with-ristretto255_XMD:SHA-512_R255MAP_RO_',
  'x',
  'd'.repeat(255),
  'long-dst/'.repeat(40),
];

describe('libsodium group arithmetic is byte-identical to @noble/curves', () => {
  it('expand_message_xmd (SHA-512, 64 bytes) over several DSTs, including one over 255 bytes', () => {
    for (const dst of DSTS) {
      for (let i = 0; i < 40; i++) {
        const msg = randomBytes(randomInt(0, 300));
        expect(hex(expandMessageXmd64(msg, dst))).toBe(hex(expand_message_xmd(msg, utf8.encode(dst), 64, sha512)));
      }
    }
  });

  it('hash_to_ristretto255 on 400 random identifiers under PSI_DST, and on 100 under other DSTs', () => {
    const fixed = ['', 'a', 'alice@example.com', 'customer-0@example.com', 'ünïcödé', '\u{1f600}'];
    const ids = [...fixed, ...Array.from({ length: 400 - fixed.length }, randomId)];
    for (const id of ids) expect(hex(hashToGroup(id))).toBe(hex(nobleH(id).toBytes()));
    for (let i = 0; i < 100; i++) {
      const dst = DSTS[i % DSTS.length];
      const id = randomId();
      expect(hex(hashToGroup(id, dst))).toBe(hex(nobleH(id, dst).toBytes()));
    }
  });

  it('scalar multiplication on 400 random (scalar, point) pairs and edge scalars', () => {
    const scalars = [1n, 2n, 3n, GROUP_ORDER - 1n, GROUP_ORDER - 2n, 2n ** 252n, 2n ** 252n - 1n];
    for (let i = 0; i < 400; i++) scalars.push(randomScalar());
    for (const s of scalars) {
      const p = nobleH(randomId());
      expect(hex(scalarMult(scalarToBytes(s), p.toBytes()))).toBe(hex(p.multiply(s).toBytes()));
    }
  });

  it('(H(x)^a)^b = (H(x)^b)^a = H(x)^{ab mod l}', () => {
    for (let i = 0; i < 50; i++) {
      const a = randomScalar();
      const b = randomScalar();
      const h = hashToGroup(randomId());
      const ab = scalarMult(scalarToBytes(b), scalarMult(scalarToBytes(a), h));
      expect(hex(scalarMult(scalarToBytes(a), scalarMult(scalarToBytes(b), h)))).toBe(hex(ab));
      expect(hex(scalarMult(scalarToBytes((a * b) % GROUP_ORDER), h))).toBe(hex(ab));
    }
  });

  it('accepts exactly the encodings noble decodes to a non-identity point', () => {
    const nobleAccepts = (b: Uint8Array): boolean => {
      try {
        return !Point.fromBytes(b).is0();
      } catch {
        return false;
      }
    };
    const p = 2n ** 255n - 19n;
    const le = (v: bigint): Uint8Array =>
      Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    const cases: Uint8Array[] = [
      new Uint8Array(32), // the identity
      le(p), // s = p: not canonical (would reduce to 0, the identity)
      le(p + 2n), // s = p + 2 ≡ 2: not canonical
      le(1n), // odd ("negative") s
      new Uint8Array(32).fill(0xff),
      Point.BASE.toBytes(),
    ];
    for (let i = 0; i < 300; i++) cases.push(randomBytes(32)); // mostly invalid
    for (let i = 0; i < 300; i++) {
      const good = nobleH(randomId()).toBytes();
      cases.push(good);
      const bad = new Uint8Array(good);
      bad[randomInt(0, 32)] ^= 1 << randomInt(0, 8); // mostly invalid
      cases.push(bad);
      const high = new Uint8Array(good);
      high[31] |= 0x80; // top bit set: s >= 2^255 > p, never canonical
      cases.push(high);
    }
    let accepted = 0;
    for (const c of cases) {
      const ok = nobleAccepts(c);
      if (ok) accepted++;
      expect(isValidNonIdentityPoint(c), hex(c)).toBe(ok);
    }
    expect(accepted).toBeGreaterThan(300); // both branches were exercised
    expect(accepted).toBeLessThan(cases.length - 300);
    expect(isValidNonIdentityPoint(new Uint8Array(31))).toBe(false);
  });

  it('refuses to multiply an invalid point', () => {
    expect(() => scalarMult(scalarToBytes(5n), new Uint8Array(32).fill(0xff))).toThrow();
    expect(() => scalarMult(scalarToBytes(5n), new Uint8Array(32))).toThrow(); // identity
  });
});

describe('scalars', () => {
  it('randomScalarBytes draws 32 little-endian bytes in [1, l), covering the range', () => {
    let top = 0;
    const distinct = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = randomScalarBytes();
      expect(b.length).toBe(32);
      const s = scalarFromBytes(b);
      expect(s > 0n && s < GROUP_ORDER).toBe(true);
      if (s >= 2n ** 252n) top++; // [2^252, l) is a tiny slice of [1, l): ~2^-127 of the mass
      distinct.add(hex(b));
    }
    expect(distinct.size).toBe(2000);
    expect(top).toBe(0);
  });

  it('the range check is exact at the boundary (sampler rejects l and above, and 0)', () => {
    const le = (v: bigint): Uint8Array =>
      Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    for (const [v, ok] of [
      [0n, 0],
      [1n, 1],
      [255n, 1],
      [256n, 1],
      [GROUP_ORDER - 1n, 1],
      [GROUP_ORDER, 0],
      [GROUP_ORDER + 1n, 0],
      [GROUP_ORDER + 256n, 0],
      [2n ** 252n, 1],
      [2n ** 253n - 1n, 0],
      [2n ** 256n - 1n, 0],
    ] as const) {
      expect(scalarBytesInRange(le(v)), String(v)).toBe(ok);
    }
    for (let i = 0; i < 2000; i++) {
      const v = scalarFromBytes(randomBytes(32)) >> BigInt(randomInt(0, 8));
      expect(scalarBytesInRange(le(v))).toBe(v > 0n && v < GROUP_ORDER ? 1 : 0);
    }
    for (let i = 0; i < 500; i++) {
      const v = GROUP_ORDER + BigInt(randomInt(-1000, 1000)) * (i % 2 ? 1n : 2n ** BigInt(randomInt(0, 120)));
      expect(scalarBytesInRange(le(v))).toBe(v > 0n && v < GROUP_ORDER ? 1 : 0);
    }
    expect(scalarFromBytes(scalarToBytes(GROUP_ORDER - 1n))).toBe(GROUP_ORDER - 1n);
    expect(() => scalarToBytes(GROUP_ORDER)).toThrow(RangeError);
    expect(() => scalarToBytes(0n)).toThrow(RangeError);
  });
});
