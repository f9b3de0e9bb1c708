import { describe, expect, it } from 'vitest';
import { generateKeyAgreementPair } from '../src/key-agreement.js';
import { isAcceptablePublicKey, verifyDetached } from '../src/ed25519-verify.js';
import { keyObject } from '../src/key-objects.js';
import { ed25519 } from '@noble/curves/ed25519.js';

describe('public keys cached by their bytes', () => {
  it('gives a fresh array of a key seen before the same key object (a decoded message brings fresh arrays)', () => {
    const { publicKey } = generateKeyAgreementPair();
    const first = keyObject('x25519-public', publicKey);
    expect(keyObject('x25519-public', Uint8Array.from(publicKey))).toBe(first);
    expect(keyObject('ed25519-public', Uint8Array.from(publicKey))).not.toBe(first); // kinds are kept apart
  });

  it('still refuses a small-order key and verifies by the bytes, whatever array carries them', () => {
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1; // the identity point: small order
    expect(isAcceptablePublicKey(smallOrder)).toBe(false);
    expect(isAcceptablePublicKey(Uint8Array.from(smallOrder))).toBe(false);
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    const message = new TextEncoder().encode('one message');
    const signature = ed25519.sign(message, secret);
    expect(verifyDetached(message, signature, publicKey)).toBe(true);
    expect(verifyDetached(message, signature, Uint8Array.from(publicKey))).toBe(true);
    const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    expect(verifyDetached(message, signature, Uint8Array.from(other))).toBe(false);
  });
});
