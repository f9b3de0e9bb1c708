import { describe, expect, it } from 'vitest';
import { DEFAULT_WIDE, wideCodecOf } from '../src/index.js';

describe('a wide codec read from the wire', () => {
  it('reads back what the coordinator sends', () => {
    expect(wideCodecOf(JSON.parse(JSON.stringify(DEFAULT_WIDE)), 'decode_json.wide')).toEqual(DEFAULT_WIDE);
  });

  it('refuses a malformed one, naming the field', () => {
    expect(() => wideCodecOf(undefined, 'decode_json.wide')).toThrow('decode_json.wide.fractionBits');
    expect(() => wideCodecOf({ fractionBits: 99, modulus: 2 ** 32 }, 'w')).toThrow('w.fractionBits must be');
    expect(() => wideCodecOf({ fractionBits: 16, modulus: '4294967296' }, 'w')).toThrow('w.modulus must be a number');
    expect(() => wideCodecOf({ fractionBits: 16, modulus: 1.5 }, 'w')).toThrow();
  });
});
