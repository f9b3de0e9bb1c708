import { describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  parseRosterCertificate,
  ROSTER_CONTEXT,
  rosterCertificateText,
  rosterMessage,
  sign,
  signRosterEntry,
  verify,
  verifyRosterEntry,
} from '../src/index.js';

describe('roster certificates', () => {
  const authority = generateSigningKeyPair();
  const member = generateSigningKeyPair();

  it('verify under the authority for exactly the participant id and identity key signed', () => {
    const s = signRosterEntry(authority.secretKey, 'p-1', member.publicKey);
    expect(verifyRosterEntry(authority.publicKey, 'p-1', member.publicKey, s)).toBe(true);
    expect(verifyRosterEntry(authority.publicKey, 'p-2', member.publicKey, s)).toBe(false);
    expect(verifyRosterEntry(authority.publicKey, 'p-1', generateSigningKeyPair().publicKey, s)).toBe(false);
    expect(verifyRosterEntry(generateSigningKeyPair().publicKey, 'p-1', member.publicKey, s)).toBe(false);
    expect(verifyRosterEntry(authority.publicKey, 'p-1', member.publicKey, new Uint8Array(0))).toBe(false);
    expect(verifyRosterEntry(authority.publicKey, '', member.publicKey, s)).toBe(false);
  });

  it('are domain separated and length prefixed: no other signature passes as one', () => {
    const message = rosterMessage('p-1', member.publicKey);
    // The same bytes signed under another context (e.g. a participant message) do not verify as a roster entry.
    const other = sign('tessera/v1/participant-message', message, authority.secretKey);
    expect(verifyRosterEntry(authority.publicKey, 'p-1', member.publicKey, other)).toBe(false);
    const s = signRosterEntry(authority.secretKey, 'p-1', member.publicKey);
    expect(verify(ROSTER_CONTEXT, message, s, authority.publicKey)).toBe(true);
    // Field boundaries cannot shift: id "p-1" + key differs from id "p-" + ("1" + key).
    expect(rosterMessage('p-', member.publicKey)).not.toEqual(message);
  });

  it('round-trip through their file format, which names the file and field of a mistake', () => {
    const signature = signRosterEntry(authority.secretKey, 'p-1', member.publicKey);
    const c = { participantId: 'p-1', identityKey: member.publicKey, authority: authority.publicKey, signature };
    const text = rosterCertificateText(c);
    expect(parseRosterCertificate(text, 'r.json')).toEqual(c);
    const o = JSON.parse(text) as Record<string, string>;
    const bad = (patch: object, message: RegExp) =>
      expect(() => parseRosterCertificate(JSON.stringify({ ...o, ...patch }), 'r.json')).toThrow(message);
    bad({ format: 'x' }, /^r\.json: format: expected "tessera-roster-certificate\/1"/);
    bad({ participantId: '' }, /^r\.json: participantId: must be a non-empty string/);
    bad({ identityKey: 'ab' }, /^r\.json: identityKey: must be 64 hex characters/);
    bad({ participantId: 'p-2' }, /^r\.json: signature: does not verify under the authority/);
    expect(() => parseRosterCertificate('{', 'r.json')).toThrow(/^r\.json: is not JSON/);
  });
});
