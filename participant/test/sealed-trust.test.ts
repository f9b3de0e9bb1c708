import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { signAnalystKey } from '@tessera/proto';
import { SecureContribution } from '../src/secure-contribution.js';

const me = generateSigningKeyPair();

/**
 * A sealed round's setup for 3 participants, as the coordinator would send it (the keys themselves are not loaded
 * here).
 */
const setup = {
  roundId: new Uint8Array(32),
  index: 0,
  participantIds: ['a', 'b', 'c'],
  identityKeys: [me.publicKey, generateSigningKeyPair().publicKey, generateSigningKeyPair().publicKey],
  threshold: 2,
  degree: 2,
  modulus: 4294828033,
  computation: 3,
  sealedDegree: 4096,
  sealedCoeffBits: [36, 36, 37],
};
const params = { polyModulusDegree: 4096, coeffModulusBits: [36, 36, 37], plainModulus: 4294828033 };
const analystKey = new Uint8Array(64).fill(9);

const contribution = (analyst: ConstructorParameters<typeof SecureContribution>[4]) =>
  new SecureContribution({ jobId: 'j', round: 1 }, setup, new Uint32Array(33), me.secretKey, analyst);

describe('a participant encrypts only under an analyst key its analyst signed (if listed, a trusted analyst)', () => {
  const analyst = generateSigningKeyPair();
  const signature = signAnalystKey(analystKey, params, analyst.secretKey);

  it('accepts a signed key, and a key from a listed analyst', () => {
    expect(contribution({ key: analystKey, identity: analyst.publicKey, signature }).sealed?.analystKey).toBe(
      analystKey,
    );
    expect(
      contribution({
        key: analystKey,
        identity: analyst.publicKey,
        signature,
        trusted: [Buffer.from(analyst.publicKey).toString('hex')],
      }).sealed,
    ).toBeDefined();
  });

  it('refuses a key swapped in by someone else, a missing signature, and an analyst it does not trust', () => {
    const swapped = new Uint8Array(64).fill(8);
    expect(() => contribution({ key: swapped, identity: analyst.publicKey, signature })).toThrow(
      /not signed by the analyst identity/,
    );
    expect(() => contribution({ key: analystKey })).toThrow(/not signed by the analyst identity/);
    const other = generateSigningKeyPair();
    expect(() =>
      contribution({
        key: analystKey,
        identity: analyst.publicKey,
        signature,
        trusted: [Buffer.from(other.publicKey).toString('hex')],
      }),
    ).toThrow(/is not among this node's trustedAnalysts/);
  });
});
