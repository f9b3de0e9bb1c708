import { describe, expect, it } from 'vitest';
import { concatBytes, lengthPrefixed, toHex, u32be } from '../src/index.js';

const bytes = (...v: number[]) => Uint8Array.from(v);
const text = (s: string) => new TextEncoder().encode(s);

describe('byte encodings', () => {
  it('concatenates byte arrays', () => {
    expect(toHex(concatBytes())).toBe('');
    expect(toHex(concatBytes(bytes(1, 2), new Uint8Array(0), bytes(3)))).toBe('010203');
    const part = bytes(9, 9, 9);
    const joined = concatBytes(part);
    joined[0] = 0;
    expect(part[0]).toBe(9); // a copy, never a view
  });

  it('writes 32-bit big-endian integers and rejects others', () => {
    expect(toHex(u32be(0))).toBe('00000000');
    expect(toHex(u32be(0x01020304))).toBe('01020304');
    expect(toHex(u32be(0xffffffff))).toBe('ffffffff');
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => u32be(bad)).toThrow(/u32be/);
  });

  it('length-prefixes every part with 4 big-endian bytes', () => {
    expect(toHex(lengthPrefixed())).toBe('');
    expect(toHex(lengthPrefixed(new Uint8Array(0)))).toBe('00000000');
    expect(toHex(lengthPrefixed(text('ab'), bytes(0xff)))).toBe('000000026162' + '00000001ff');
  });

  it('keeps field boundaries: different splits of the same bytes encode differently', () => {
    const a = lengthPrefixed(text('ab'), text('c'));
    const b = lengthPrefixed(text('a'), text('bc'));
    const c = lengthPrefixed(text('abc'));
    const d = lengthPrefixed(text('abc'), new Uint8Array(0));
    const all = [a, b, c, d].map(toHex);
    expect(new Set(all).size).toBe(all.length);
  });
});
