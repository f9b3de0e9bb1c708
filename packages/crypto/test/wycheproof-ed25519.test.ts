import { describe, expect, it } from 'vitest';
import { sign, signingKeyPairFromSecret, toHex, verify, withContext } from '../src/index.js';
import { verifyDetached } from '../src/ed25519-verify.js';
import { countResults, loadEd25519, Tally } from './wycheproof.js';

// Every case of Wycheproof's ed25519_test.json through `verifyDetached`, the RFC 8032 check under the public
// `verify(context, ...)` (which adds only the `context || 0x00` prefix). The file has no "acceptable" cases and
// no private keys, so signing is covered by the RFC 8032 vectors in identity.test.ts, not here.
const file = loadEd25519();

describe('Wycheproof ed25519_test.json through the Ed25519 wrapper', () => {
  it('has every case the file declares (151: 88 valid, 63 invalid)', () => {
    expect(file.cases.length).toBe(file.numberOfTests);
    expect(file.cases.length).toBe(151);
    expect(countResults(file.cases)).toEqual({ valid: 88, invalid: 63, acceptable: 0 });
    for (const c of file.cases) for (const f of c.flags) expect(file.documentedFlags).toContain(f);
  });

  it('accepts every valid signature and refuses every invalid one, never throwing', () => {
    const failures: string[] = [];
    const outcomes = new Tally();
    for (const c of file.cases) {
      let ok: boolean | string;
      try {
        ok = verifyDetached(c.msg, c.sig, c.publicKey);
      } catch (e) {
        ok = `throws: ${(e as Error).message}`;
      }
      if (ok !== (c.result === 'valid'))
        failures.push(`${c.label} ${c.comment}: expected ${c.result}, verify gave ${ok}`);
      outcomes.add(`${c.result} ${c.flags.join('+')}: ${ok === true ? 'accepted' : 'refused'}`);
    }
    expect(failures).toEqual([]);
    expect(outcomes.counts).toEqual({
      'valid Valid: accepted': 18,
      'valid Ktv: accepted': 38,
      'valid TinkOverflow: accepted': 32,
      'invalid InvalidSignature: refused': 20,
      'invalid TruncatedSignature: refused': 3,
      'invalid SignatureWithGarbage: refused': 5,
      'invalid CompressedSignature: refused': 4,
      'invalid InvalidEncoding: refused': 22,
      'invalid SignatureMalleability: refused': 8,
      'invalid InvalidKtv: refused': 1,
    });
  });

  it('is what the public verify runs on context || 0x00 || message', () => {
    const pair = signingKeyPairFromSecret(Uint8Array.from({ length: 32 }, (_, i) => i));
    const message = new TextEncoder().encode('a Wycheproof cross-check');
    const signature = sign('tessera/test', message, pair.secretKey);
    expect(verify('tessera/test', message, signature, pair.publicKey)).toBe(true);
    expect(verifyDetached(withContext('tessera/test', message), signature, pair.publicKey)).toBe(true);
    expect(verifyDetached(message, signature, pair.publicKey)).toBe(false);
    // A valid Wycheproof signature does not verify under any context: the prefix changes the signed bytes.
    const c = file.cases.find((x) => x.result === 'valid' && x.msg.length > 0);
    expect(c).toBeDefined();
    expect(verify('', c!.msg, c!.sig, c!.publicKey)).toBe(false);
    expect(toHex(withContext('', c!.msg))).toBe(`00${toHex(c!.msg)}`);
  });
});
