import { describe, expect, it } from 'vitest';
import { agree, fromHex, generateKeyAgreementPair, keyAgreementPairFromSecret, toHex } from '../src/index.js';
import { x25519 } from '@noble/curves/ed25519.js';

describe('X25519 key agreement', () => {
  // RFC 7748 section 5.2: X25519(scalar, u) for arbitrary u-coordinates.
  it.each([
    [
      'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    ],
    [
      '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    ],
  ])('matches the RFC 7748 section 5.2 vector with scalar %s', (scalar, u, out) => {
    expect(toHex(agree(fromHex(scalar), fromHex(u)))).toBe(out);
  });

  it('matches the RFC 7748 section 6.1 Diffie-Hellman example', () => {
    const alice = keyAgreementPairFromSecret(
      fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    const bob = keyAgreementPairFromSecret(fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
    expect(toHex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(bob.publicKey)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(toHex(agree(alice.secretKey, bob.publicKey))).toBe(k);
    expect(toHex(agree(bob.secretKey, alice.publicKey))).toBe(k);
  });

  it('is symmetric for fresh key pairs', () => {
    for (let i = 0; i < 8; i++) {
      const a = generateKeyAgreementPair();
      const b = generateKeyAgreementPair();
      expect(a.secretKey.length).toBe(32);
      expect(a.publicKey.length).toBe(32);
      expect(toHex(a.secretKey)).not.toBe(toHex(b.secretKey));
      const ab = agree(a.secretKey, b.publicKey);
      expect(ab.length).toBe(32);
      expect(toHex(ab)).toBe(toHex(agree(b.secretKey, a.publicKey)));
      expect(toHex(ab)).not.toBe(toHex(agree(a.secretKey, generateKeyAgreementPair().publicKey)));
    }
  });

  it('derives the public key as X25519(secret, 9)', () => {
    const a = generateKeyAgreementPair();
    expect(toHex(a.publicKey)).toBe(toHex(x25519.getPublicKey(a.secretKey)));
    expect(toHex(keyAgreementPairFromSecret(a.secretKey).publicKey)).toBe(toHex(a.publicKey));
  });

  // The u-coordinates of small order on curve25519 and its twist (the blocklist of libsodium), and
  // non-canonical encodings of them (p = 2^255 - 19 reduces to 0, p + 1 to 1; bit 255 is ignored).
  // With any of them X25519 outputs all zeros (RFC 7748 section 6.1).
  it.each([
    ['u = 0', '0000000000000000000000000000000000000000000000000000000000000000'],
    ['u = 1', '0100000000000000000000000000000000000000000000000000000000000000'],
    ['order 8 (a)', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
    ['order 8 (b)', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
    ['u = p - 1', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['p (= 0)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['p + 1 (= 1)', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['0 with bit 255 set', '0000000000000000000000000000000000000000000000000000000000000080'],
  ])('rejects the low-order peer key %s', (_name, u) => {
    const a = generateKeyAgreementPair();
    expect(() => agree(a.secretKey, fromHex(u))).toThrow(/low order/);
  });

  it('rejects keys of the wrong length', () => {
    const a = generateKeyAgreementPair();
    expect(() => agree(a.secretKey, new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => agree(new Uint8Array(33), a.publicKey)).toThrow(/32 bytes/);
    expect(() => keyAgreementPairFromSecret(new Uint8Array(16))).toThrow(/32 bytes/);
  });
});

describe('X25519 in node:crypto agrees with @noble/curves', () => {
  it('on random key pairs', async () => {
    const { x25519 } = await import('@noble/curves/ed25519.js');
    const { generateKeyAgreementPair, agree } = await import('../src/index.js');
    for (let i = 0; i < 50; i++) {
      const a = generateKeyAgreementPair(),
        b = generateKeyAgreementPair();
      expect(Buffer.from(agree(a.secretKey, b.publicKey)).toString('hex')).toBe(
        Buffer.from(x25519.getSharedSecret(a.secretKey, b.publicKey)).toString('hex'),
      );
    }
  });
});
