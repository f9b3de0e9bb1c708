import { describe, expect, it } from 'vitest';
import { hkdfSha256, toHex } from '../src/index.js';
import { countResults, loadHkdfSha256, Tally } from './wycheproof.js';

// Every case of Wycheproof's hkdf_sha256_test.json through `hkdfSha256`. The invalid cases ask for more than
// 255 * 32 bytes of output; the wrapper must throw for them. No case has an info over the wrapper's 1024-byte limit.
const file = loadHkdfSha256();

describe('Wycheproof hkdf_sha256_test.json through hkdfSha256', () => {
  it('has every case the file declares (86: 83 valid, 3 invalid)', () => {
    expect(file.cases.length).toBe(file.numberOfTests);
    expect(file.cases.length).toBe(86);
    expect(countResults(file.cases)).toEqual({ valid: 83, invalid: 3, acceptable: 0 });
    for (const c of file.cases) for (const f of c.flags) expect(file.documentedFlags).toContain(f);
  });

  it('derives every valid output and refuses every invalid size', () => {
    const failures: string[] = [];
    const outcomes = new Tally();
    for (const c of file.cases) {
      let got: string;
      try {
        got = toHex(hkdfSha256(c.ikm, c.salt, c.info, c.size));
      } catch (e) {
        got = `throws: ${(e as Error).message}`;
      }
      if (c.result === 'valid') {
        if (got !== toHex(c.okm)) failures.push(`${c.label}: expected ${toHex(c.okm)}, got ${got}`);
        outcomes.add('valid: output matches');
      } else {
        if (!/output length must be/.test(got))
          failures.push(`${c.label} (size ${c.size}): expected a refusal, got ${got}`);
        outcomes.add('invalid: refused');
      }
    }
    expect(failures).toEqual([]);
    expect(outcomes.counts).toEqual({ 'valid: output matches': 83, 'invalid: refused': 3 });
  });
});
