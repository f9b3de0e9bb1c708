import { describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tessera/test-support';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  constantTimeEqual,
  fromHex,
  generateSigningKeyPair,
  loadOrCreateSigningKeyPair,
  sign,
  signingKeyPairFromSecret,
  toHex,
  verify,
} from '../src/index.js';

describe('Ed25519 identities', () => {
  it('matches RFC 8032 test vector 1 (empty message)', () => {
    const sk = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pair = signingKeyPairFromSecret(sk);
    expect(toHex(pair.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(toHex(ed25519.sign(new Uint8Array(0), sk))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
        '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('matches RFC 8032 test vectors 2 and 3', () => {
    const vectors = [
      [
        '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
        '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        '72',
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
          '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      ],
      [
        'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
        'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
        'af82',
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac' +
          '18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
      ],
    ];
    for (const [sk, pk, msg, sig] of vectors) {
      const pair = signingKeyPairFromSecret(fromHex(sk));
      expect(toHex(pair.publicKey)).toBe(pk);
      expect(toHex(ed25519.sign(fromHex(msg), pair.secretKey))).toBe(sig);
    }
  });

  it('binds signatures to their context and message', () => {
    const pair = generateSigningKeyPair();
    const msg = new TextEncoder().encode('round 3 update');
    const sig = sign('tessera/test', msg, pair.secretKey);
    expect(verify('tessera/test', msg, sig, pair.publicKey)).toBe(true);
    expect(verify('tessera/other', msg, sig, pair.publicKey)).toBe(false);
    const tampered = msg.slice();
    tampered[0] ^= 1;
    expect(verify('tessera/test', tampered, sig, pair.publicKey)).toBe(false);
    expect(verify('tessera/test', msg, sig, generateSigningKeyPair().publicKey)).toBe(false);
    expect(verify('tessera/test', msg, sig.slice(0, 10), pair.publicKey)).toBe(false);
    expect(verify('tessera/test', msg, new Uint8Array(64), new Uint8Array(32))).toBe(false);
  });

  it('stores identity keys in a 0600 file and reads them back', () => {
    const path = join(tempDir('tessera-key-').dir, 'id.key');
    const a = loadOrCreateSigningKeyPair(path);
    const b = loadOrCreateSigningKeyPair(path);
    expect(toHex(b.publicKey)).toBe(toHex(a.publicKey));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^tessera-ed25519-secret-key [0-9a-f]{64}\n$/);
  });

  it('compares secrets in constant time with the right answers', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});

describe('Ed25519 verification in node:crypto agrees with @noble/curves', () => {
  it('on valid, tampered and foreign signatures', async () => {
    const { withContext } = await import('../src/index.js');
    for (let i = 0; i < 30; i++) {
      const pair = generateSigningKeyPair();
      const msg = new Uint8Array([i, 1, 2, 3]);
      const sig = sign('ctx', msg, pair.secretKey);
      const bad = sig.slice();
      bad[i % 64] ^= 4;
      for (const [s, m] of [
        [sig, msg],
        [bad, msg],
        [sig, new Uint8Array([9])],
      ] as const) {
        expect(verify('ctx', m, s, pair.publicKey)).toBe(
          ed25519.verify(s, withContext('ctx', m), pair.publicKey, { zip215: false }),
        );
      }
    }
  });
});

describe('Ed25519 signing in node:crypto', () => {
  it('gives the same (deterministic, RFC 8032) signatures as @noble/curves, including the RFC test keys', async () => {
    const { withContext } = await import('../src/index.js');
    const rfcKeys = [
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    ].map((hex) => fromHex(hex));
    const keys = [...rfcKeys, ...Array.from({ length: 20 }, () => generateSigningKeyPair().secretKey)];
    for (const [i, sk] of keys.entries()) {
      const msg = new Uint8Array(i * 7).map((_, j) => (j * 31 + i) & 255);
      expect(toHex(sign(`ctx-${i}`, msg, sk))).toBe(toHex(ed25519.sign(withContext(`ctx-${i}`, msg), sk)));
    }
    expect(() => sign('ctx', new Uint8Array(1), new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
