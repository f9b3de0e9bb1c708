import { describe, expect, it } from 'vitest';
import { agree, keyAgreementPairFromSecret, toHex } from '../src/index.js';
import { countResults, loadX25519, Tally, type XdhCase } from './wycheproof.js';

// Every case of Wycheproof's x25519_test.json through `agree` (node:crypto) and `keyAgreementPairFromSecret`
// (@noble/curves). Policy for "acceptable" cases, by flag (recorded in packages/crypto/README.md):
// - ZeroSharedSecret, LowOrderPublic, SmallPublicKey: the result would be all zeros, known to everyone;
//   `agree` refuses it (RFC 7748 section 6.1). In this file every case with one of these flags has a zero result.
// - Twist, NonCanonicalPublic, SpecialPublicKey, EdgeCaseShared, EdgeCaseMultiplication, Ktv: accepted, and the
//   result must be exactly the RFC 7748 value (the top bit is masked and u is reduced mod p, as section 5 says).
const file = loadX25519();
const REFUSED_FLAGS = new Set(['ZeroSharedSecret', 'LowOrderPublic', 'SmallPublicKey']);
const BASE_POINT = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 9 : 0));

const refuses = (c: XdhCase) => c.flags.some((f) => REFUSED_FLAGS.has(f));
const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('Wycheproof x25519_test.json through the X25519 wrappers', () => {
  it('has every case the file declares (518: 264 valid, 254 acceptable)', () => {
    expect(file.cases.length).toBe(file.numberOfTests);
    expect(file.cases.length).toBe(518);
    expect(countResults(file.cases)).toEqual({ valid: 264, invalid: 0, acceptable: 254 });
    for (const c of file.cases) for (const f of c.flags) expect(file.documentedFlags).toContain(f);
  });

  it('agree (node:crypto): valid cases give the shared secret; acceptable ones follow the policy per flag', () => {
    const failures: string[] = [];
    const outcomes = new Tally();
    for (const c of file.cases) {
      // The policy rests on this: the refused flags are exactly the all-zero results.
      if (refuses(c) !== isZero(c.shared)) failures.push(`${c.label}: refused flag and zero result disagree`);
      let got: string;
      try {
        got = toHex(agree(c.privateKey, c.publicKey));
      } catch (e) {
        got = `throws: ${(e as Error).message}`;
      }
      const mustRefuse = c.result === 'acceptable' && refuses(c);
      if (mustRefuse) {
        if (!/low order/.test(got)) failures.push(`${c.label}: expected a low-order refusal, got ${got}`);
        outcomes.add(`${c.result}: refused (zero shared secret)`);
      } else {
        if (got !== toHex(c.shared)) failures.push(`${c.label}: expected ${toHex(c.shared)}, got ${got}`);
        outcomes.add(`${c.result}: shared secret matches`);
      }
    }
    expect(failures).toEqual([]);
    expect(outcomes.counts).toEqual({
      'valid: shared secret matches': 264,
      'acceptable: shared secret matches': 223,
      'acceptable: refused (zero shared secret)': 31,
    });
  });

  it('keyAgreementPairFromSecret (@noble/curves) gives X25519(private, 9) as agree (node:crypto) computes it', () => {
    // Each case's private key, including the EdgeCasePrivateKey ones, through both paths of the wrapper.
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const c of file.cases) {
      seen.add(toHex(c.privateKey));
      const noble = toHex(keyAgreementPairFromSecret(c.privateKey).publicKey);
      const node = toHex(agree(c.privateKey, BASE_POINT));
      if (noble !== node) failures.push(`${c.label}: @noble/curves ${noble}, node:crypto ${node}`);
    }
    expect(failures).toEqual([]);
    expect(seen.size).toBeGreaterThan(400);
  });
});
