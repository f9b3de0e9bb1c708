// Raw public keys become node:crypto key objects through JWK (key-objects.ts): the same keys as through DER.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyObject } from '../src/key-objects.js';

const SPKI_PREFIX = {
  'x25519-public': Buffer.from('302a300506032b656e032100', 'hex'),
  'ed25519-public': Buffer.from('302a300506032b6570032100', 'hex'),
} as const;

describe('keyObject for raw public keys', () => {
  for (const [kind, type] of [
    ['x25519-public', 'x25519'],
    ['ed25519-public', 'ed25519'],
  ] as const) {
    it(`imports a ${type} key as the key the DER encoding holds`, () => {
      const der = generateKeyPairSync(type as 'x25519').publicKey.export({ format: 'der', type: 'spki' });
      const raw = new Uint8Array(der.subarray(SPKI_PREFIX[kind].length));
      // An offset view into a larger buffer, as keys decoded from a protobuf message are.
      const inBuffer = new Uint8Array(64);
      inBuffer.set(raw, 16);
      const view = inBuffer.subarray(16, 48);
      for (const input of [raw, view]) {
        const k = keyObject(kind, input);
        expect(k.type).toBe('public');
        expect(k.asymmetricKeyType).toBe(type);
        expect(Buffer.from(k.export({ format: 'der', type: 'spki' }))).toEqual(Buffer.from(der));
        expect(k.equals(createPublicKey({ key: der, format: 'der', type: 'spki' }))).toBe(true);
      }
      // The same array is served from the cache.
      expect(keyObject(kind, raw)).toBe(keyObject(kind, raw));
    });
  }

  it('refuses a key that is not 32 bytes', () => {
    expect(() => keyObject('x25519-public', new Uint8Array(31))).toThrow();
    expect(() => keyObject('ed25519-public', new Uint8Array(33))).toThrow();
  });
});
