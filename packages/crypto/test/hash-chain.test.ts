import { describe, expect, it } from 'vitest';
import { CHAIN_GENESIS, ChainEncodingError, hashChain, type ChainValue, sha256Hex, toHex } from '../src/index.js';

const chain = hashChain('tessera/test/v1');
const fields: ChainValue[] = ['café', 334, 0.4, ['a', 'b']];

describe('hashChain', () => {
  it('encodes a link as documented (vector computed independently, with Python struct and hashlib)', () => {
    const expected =
      '0000000f' +
      Buffer.from('tessera/test/v1').toString('hex') +
      '00000008' +
      '0000000000000001' +
      '00000020' +
      '00'.repeat(32) +
      '00000006' +
      '73636166c3a9' + // 's' "café"
      '00000009' +
      '6e4074e00000000000' + // 'n' 334
      '00000009' +
      '6e3fd999999999999a' + // 'n' 0.4
      '0000000d' +
      '6c' +
      '000000027361' +
      '000000027362'; // 'l' ["a", "b"]
    expect(toHex(chain.encode(1, CHAIN_GENESIS, fields))).toBe(expected);
    expect(chain.link(1, CHAIN_GENESIS, fields)).toBe(
      'ef0a466b4ced0c49cb42cd1bce61e7f48fab58cbe75e3d199d3f6cfd50eadeaf',
    );
    expect(chain.link(1, CHAIN_GENESIS, fields)).toBe(sha256Hex(chain.encode(1, CHAIN_GENESIS, fields)));
  });

  it('separates domains: the same link under another tag has another hash', () => {
    const audit = hashChain('tessera/audit-log/v2');
    const payouts = hashChain('tessera/payout-ledger/v2');
    expect(audit.link(1, CHAIN_GENESIS, fields)).not.toBe(payouts.link(1, CHAIN_GENESIS, fields));
    expect(audit.tag).toBe('tessera/audit-log/v2');
  });

  it('changes the hash when any input changes, including field boundaries and types', () => {
    const base = chain.link(2, 'ab'.repeat(32), ['ab', 'c']);
    const variants = [
      chain.link(3, 'ab'.repeat(32), ['ab', 'c']),
      chain.link(2, 'ac'.repeat(32), ['ab', 'c']),
      chain.link(2, 'ab'.repeat(32), ['a', 'bc']),
      chain.link(2, 'ab'.repeat(32), ['abc']),
      chain.link(2, 'ab'.repeat(32), [['ab', 'c']]),
      chain.link(2, 'ab'.repeat(32), ['ab', 'c', '']),
      chain.link(2, 'ab'.repeat(32), ['ab']),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(chain.link(1, CHAIN_GENESIS, ['1'])).not.toBe(chain.link(1, CHAIN_GENESIS, [1]));
    expect(chain.link(1, CHAIN_GENESIS, [[]])).not.toBe(chain.link(1, CHAIN_GENESIS, ['']));
    const empties = [null, '', [], 0].map((v) => chain.link(1, CHAIN_GENESIS, [v]));
    expect(new Set(empties).size).toBe(4);
    expect(toHex(chain.encode(1, CHAIN_GENESIS, [null])).slice(-10)).toBe('000000017a');
  });

  it('writes -0 as 0 (a JSON round trip cannot keep it)', () => {
    expect(chain.link(1, CHAIN_GENESIS, [-0])).toBe(chain.link(1, CHAIN_GENESIS, [0]));
  });

  it('refuses what it cannot encode, with a typed error', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => chain.link(1, CHAIN_GENESIS, ['x', [bad]])).toThrow(/field 1\[0\] must be a finite number/);
    }
    expect(() => chain.link(1, CHAIN_GENESIS, [true as unknown as string])).toThrow(ChainEncodingError);
    expect(() => chain.link(-1, CHAIN_GENESIS, [])).toThrow(/seq must be a non-negative safe integer/);
    expect(() => chain.link(1.5, CHAIN_GENESIS, [])).toThrow(ChainEncodingError);
    expect(() => chain.link(1, 'AB'.repeat(32), [])).toThrow(/prevHash must be 64 lower-case hex/);
    expect(() => chain.link(1, 'ab', [])).toThrow(ChainEncodingError);
    expect(() => hashChain('')).toThrow(/non-empty tag/);
  });
});
