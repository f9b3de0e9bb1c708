import { describe, expect, it } from 'vitest';
import { concatBytes, open, toHex } from '../src/index.js';
import { sealWithNonce } from '../src/aead.js';
import { countResults, loadAesGcm, Tally, type AeadCase } from './wycheproof.js';

// Every case of Wycheproof's aes_gcm_test.json through `open` and `sealWithNonce` (the seal under `seal`).
// The wrapper is AES-256-GCM with a 12-byte nonce and a 16-byte tag, sealed as nonce || ciphertext || tag:
// - 256-bit key, 96-bit IV: valid cases must seal to exactly iv || ct || tag and open to msg; invalid ones
//   (modified tags) must not open.
// - any other key size: refused by both (`sealWithNonce` throws, `open` returns undefined).
// - 256-bit key, any other IV size (0 to 2056 bits): `sealWithNonce` throws; `open` of iv || ct || tag reads
//   the first 12 bytes as the nonce, so it must not authenticate either. No case is skipped.
const file = loadAesGcm();

const sealedForm = (c: AeadCase) => concatBytes(c.iv, c.ct, c.tag);

function sealOutcome(c: AeadCase): string {
  try {
    return toHex(sealWithNonce(c.key, c.iv, c.msg, c.aad));
  } catch (e) {
    return `throws: ${(e as Error).message}`;
  }
}

describe('Wycheproof aes_gcm_test.json through the AES-256-GCM wrapper', () => {
  it('has every case the file declares (316: 229 valid, 87 invalid)', () => {
    expect(file.cases.length).toBe(file.numberOfTests);
    expect(file.cases.length).toBe(316);
    expect(countResults(file.cases)).toEqual({ valid: 229, invalid: 87, acceptable: 0 });
    for (const c of file.cases) for (const f of c.flags) expect(file.documentedFlags).toContain(f);
    expect(new Set(file.cases.map((c) => c.tagSize))).toEqual(new Set([128]));
  });

  it('seals and opens every supported case, and refuses every other size', () => {
    const failures: string[] = [];
    const outcomes = new Tally();
    for (const c of file.cases) {
      const opened = open(c.key, sealedForm(c), c.aad);
      const sealed = sealOutcome(c);
      if (c.keySize !== 256) {
        if (opened !== undefined) failures.push(`${c.label}: open accepted a ${c.keySize}-bit key`);
        if (!/key is 32 bytes/.test(sealed))
          failures.push(`${c.label}: seal with a ${c.keySize}-bit key gave ${sealed}`);
        outcomes.add(`${c.result}: refused (key ${c.keySize} bits)`);
      } else if (c.ivSize !== 96) {
        if (opened !== undefined) failures.push(`${c.label}: open accepted iv || ct || tag with a ${c.ivSize}-bit IV`);
        if (!/nonce is 12 bytes/.test(sealed))
          failures.push(`${c.label}: seal with a ${c.ivSize}-bit IV gave ${sealed}`);
        outcomes.add(`${c.result}: refused (IV not 96 bits)`);
      } else if (c.result === 'valid') {
        if (opened === undefined || toHex(opened) !== toHex(c.msg)) failures.push(`${c.label}: open did not give msg`);
        if (sealed !== toHex(sealedForm(c))) failures.push(`${c.label}: seal gave ${sealed}`);
        outcomes.add('valid: sealed and opened');
      } else {
        if (opened !== undefined) failures.push(`${c.label} ${c.comment}: open accepted an invalid ciphertext`);
        outcomes.add('invalid: open refused');
      }
    }
    expect(failures).toEqual([]);
    expect(outcomes.counts).toEqual({
      'valid: sealed and opened': 39,
      'invalid: open refused': 27,
      'valid: refused (key 128 bits)': 79,
      'invalid: refused (key 128 bits)': 29,
      'valid: refused (key 192 bits)': 74,
      'invalid: refused (key 192 bits)': 29,
      'valid: refused (IV not 96 bits)': 37,
      'invalid: refused (IV not 96 bits)': 2,
    });
  });
});
