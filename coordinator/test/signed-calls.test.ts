import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { signAnalystCall } from '@tessera/proto';
import { CALL_WINDOW_MS, SignedCalls } from '../src/analysts/signed-calls.js';

const METHOD = '/tessera.v1.AnalystService/GetJob';
const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('signed analyst calls (plaintext coordinators)', () => {
  const id = generateSigningKeyPair();

  it('prove the identity that signed them, once', () => {
    let now = T0;
    const calls = new SignedCalls(() => now);
    const value = signAnalystCall(METHOD, id, T0);
    const first = calls.check(METHOD, value);
    expect('identity' in first && Buffer.from(first.identity).equals(Buffer.from(id.publicKey))).toBe(true);
    expect(calls.check(METHOD, value)).toEqual({ problem: 'this signed call was already made (replayed?)' });
    // Still refused until its time is out of the window, then refused as too old.
    now = T0 + CALL_WINDOW_MS;
    expect(calls.check(METHOD, value)).toEqual({ problem: 'this signed call was already made (replayed?)' });
    now = T0 + CALL_WINDOW_MS + 1;
    expect(calls.check(METHOD, value)).toMatchObject({ problem: expect.stringMatching(/more than 5 minutes/) });
  });

  it("refuse another method's signature, a clock far off, and what is not a signed call", () => {
    const calls = new SignedCalls(() => T0);
    expect(calls.check('/tessera.v1.AnalystService/CancelJob', signAnalystCall(METHOD, id, T0))).toEqual({
      problem: 'the signature of the call does not verify',
    });
    expect(calls.check(METHOD, signAnalystCall(METHOD, id, T0 - CALL_WINDOW_MS - 1))).toMatchObject({
      problem: expect.stringMatching(/set this machine's clock/),
    });
    expect(calls.check(METHOD, undefined)).toMatchObject({ problem: expect.stringMatching(/must be signed/) });
    expect(calls.check(METHOD, 'Bearer tsa_x')).toEqual({
      problem: 'the tessera-analyst-call metadata is not a signed call',
    });
  });
});
