import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AEAD_OVERHEAD, fromHex, open, seal, toHex } from '../src/index.js';
import { sealWithNonce } from '../src/aead.js';

const ad = new TextEncoder().encode('tessera/test/ad');

describe('AES-256-GCM', () => {
  // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B, test cases 13, 14 and 16.
  it('matches GCM spec test case 16 (256-bit key, 60-byte plaintext, 20-byte AD)', () => {
    const key = fromHex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const nonce = fromHex('cafebabefacedbaddecaf888');
    const plaintext = fromHex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
        '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const aad = fromHex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const ciphertext =
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
      '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';
    const tag = '76fc6ece0f4e1768cddf8853bb2d551b';
    const sealed = sealWithNonce(key, nonce, plaintext, aad);
    expect(toHex(sealed)).toBe(`cafebabefacedbaddecaf888${ciphertext}${tag}`);
    expect(toHex(open(key, sealed, aad)!)).toBe(toHex(plaintext));
  });

  it('matches GCM spec test cases 13 and 14 (zero key and nonce)', () => {
    const key = new Uint8Array(32),
      nonce = new Uint8Array(12),
      none = new Uint8Array(0);
    expect(toHex(sealWithNonce(key, nonce, none, none))).toBe(`${'00'.repeat(12)}530f8afbc74536b9a963b4f1c4cb738b`);
    expect(toHex(sealWithNonce(key, nonce, new Uint8Array(16), none))).toBe(
      `${'00'.repeat(12)}cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919`,
    );
    expect(toHex(open(key, fromHex(`${'00'.repeat(12)}530f8afbc74536b9a963b4f1c4cb738b`), none)!)).toBe('');
  });

  it('round-trips with a fresh random nonce per message', () => {
    const key = new Uint8Array(randomBytes(32));
    for (const length of [0, 1, 15, 16, 17, 1000, 100_000]) {
      const plaintext = new Uint8Array(randomBytes(length));
      const sealed = seal(key, plaintext, ad);
      expect(sealed.length).toBe(length + AEAD_OVERHEAD);
      expect(toHex(open(key, sealed, ad)!)).toBe(toHex(plaintext));
    }
    const m = new TextEncoder().encode('same message');
    const a = seal(key, m, ad),
      b = seal(key, m, ad);
    expect(toHex(a.subarray(0, 12))).not.toBe(toHex(b.subarray(0, 12)));
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('rejects a change to any byte of nonce, ciphertext or tag', () => {
    const key = new Uint8Array(randomBytes(32));
    const sealed = seal(key, new TextEncoder().encode('a Shamir share of a mask seed'), ad);
    for (let i = 0; i < sealed.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const tampered = sealed.slice();
        tampered[i] ^= flip;
        expect(open(key, tampered, ad)).toBeUndefined();
      }
    }
  });

  it('rejects a different key or associated data', () => {
    const key = new Uint8Array(randomBytes(32));
    const sealed = seal(key, new Uint8Array([1, 2, 3]), ad);
    const otherKey = key.slice();
    otherKey[31] ^= 1;
    expect(open(otherKey, sealed, ad)).toBeUndefined();
    expect(open(new Uint8Array(randomBytes(32)), sealed, ad)).toBeUndefined();
    expect(open(key, sealed, new Uint8Array(0))).toBeUndefined();
    const otherAd = ad.slice();
    otherAd[0] ^= 1;
    expect(open(key, sealed, otherAd)).toBeUndefined();
    expect(open(key, sealed, new Uint8Array([...ad, 0]))).toBeUndefined();
  });

  it('returns undefined, never throws, for malformed input', () => {
    const key = new Uint8Array(randomBytes(32));
    const sealed = seal(key, new Uint8Array([1, 2, 3]), ad);
    expect(open(key, new Uint8Array(0), ad)).toBeUndefined();
    expect(open(key, sealed.subarray(0, AEAD_OVERHEAD - 1), ad)).toBeUndefined();
    expect(open(key, sealed.subarray(0, sealed.length - 1), ad)).toBeUndefined();
    expect(open(key, sealed.subarray(1), ad)).toBeUndefined();
    expect(open(key, new Uint8Array([...sealed, 0]), ad)).toBeUndefined();
    expect(open(key.subarray(0, 16), sealed, ad)).toBeUndefined();
    expect(open(new Uint8Array(0), sealed, ad)).toBeUndefined();
    expect(open(key, undefined as unknown as Uint8Array, ad)).toBeUndefined();
    expect(open(key, sealed, undefined as unknown as Uint8Array)).toBeUndefined();
  });

  it('refuses keys and nonces of the wrong length when sealing', () => {
    expect(() => seal(new Uint8Array(16), new Uint8Array(1), ad)).toThrow(/32 bytes/);
    expect(() => sealWithNonce(new Uint8Array(32), new Uint8Array(16), new Uint8Array(1), ad)).toThrow(/12 bytes/);
  });
});
