import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  newAnalystInvitation,
  parseAnalystCall,
  parseAnalystInvitation,
  signAnalystCall,
  signTlsKey,
  verifyAnalystCall,
  verifyTlsKey,
} from '@tessera/proto';

const FINGERPRINT = 'ab'.repeat(32);
const METHOD = '/tessera.v1.AnalystService/GetJob';

describe('analyst invitations', () => {
  it('carry the secret, the fingerprint and the address', () => {
    const { text, secret } = newAnalystInvitation({ tlsFingerprint: FINGERPRINT, address: '[::1]:7070' });
    expect(text.startsWith('tsi1_')).toBe(true);
    expect(parseAnalystInvitation(` ${text}\n`)).toEqual({
      secret,
      tlsFingerprint: FINGERPRINT,
      address: '[::1]:7070',
    });
  });

  it('may leave out the address and the fingerprint', () => {
    const { text, secret } = newAnalystInvitation({});
    expect(parseAnalystInvitation(text)).toEqual({ secret, tlsFingerprint: undefined, address: undefined });
  });

  it('refuses anything else, and a bad address before printing', () => {
    expect(() => parseAnalystInvitation('tse1_abc')).toThrow(/not one tessera coordinator analysts add prints/);
    const { text } = newAnalystInvitation({ tlsFingerprint: FINGERPRINT });
    expect(() => parseAnalystInvitation(text.slice(0, -2))).toThrow(/copy it whole/); // a character short
    expect(() => parseAnalystInvitation(text.replace('tsi1_', 'tsi2_'))).toThrow(/copy it whole/);
    expect(() => newAnalystInvitation({ address: 'no-port' })).toThrow(/not a host:port address/);
  });
});

describe('TLS keys signed by an identity key', () => {
  const id = generateSigningKeyPair();
  const spki = new Uint8Array([1, 2, 3, 4]);

  it('verify for the role, secret and key signed only', () => {
    const sig = signTlsKey('analyst', 'secret', spki, id.secretKey);
    expect(verifyTlsKey('analyst', 'secret', spki, sig, id.publicKey)).toBe(true);
    expect(verifyTlsKey('participant', 'secret', spki, sig, id.publicKey)).toBe(false);
    expect(verifyTlsKey('analyst', '', spki, sig, id.publicKey)).toBe(false);
    expect(verifyTlsKey('analyst', 'secret', new Uint8Array([1, 2, 3, 5]), sig, id.publicKey)).toBe(false);
    expect(verifyTlsKey('analyst', 'secret', spki, sig, generateSigningKeyPair().publicKey)).toBe(false);
  });
});

describe('signed analyst calls', () => {
  const id = generateSigningKeyPair();

  it('name the identity and verify for their method only', () => {
    const call = parseAnalystCall(signAnalystCall(METHOD, id, 1_700_000_000_000));
    expect(call).toBeDefined();
    expect(Buffer.from(call!.identity).equals(Buffer.from(id.publicKey))).toBe(true);
    expect(call!.timeMs).toBe(1_700_000_000_000);
    expect(verifyAnalystCall(METHOD, call!)).toBe(true);
    expect(verifyAnalystCall('/tessera.v1.AnalystService/CancelJob', call!)).toBe(false);
    expect(verifyAnalystCall(METHOD, { ...call!, timeMs: call!.timeMs + 1 })).toBe(false);
  });

  it('use a fresh nonce each time, and refuse what is not one', () => {
    const a = parseAnalystCall(signAnalystCall(METHOD, id))!;
    const b = parseAnalystCall(signAnalystCall(METHOD, id))!;
    expect(Buffer.from(a.nonce).equals(Buffer.from(b.nonce))).toBe(false);
    expect(parseAnalystCall('Bearer tsa_x')).toBeUndefined();
  });
});
