import { describe, expect, it } from 'vitest';
import { joinedRegExp } from '../joined-regexp.js';

describe('joinedRegExp', () => {
  it('is the pattern of its pieces written as one literal, flags included', () => {
    const joined = joinedRegExp(/^consent: grant "a" allows \(at delta [\d.]+\): /m, /spent [\d.]+ in all$/m);
    expect(joined).toEqual(/^consent: grant "a" allows \(at delta [\d.]+\): spent [\d.]+ in all$/m);
    expect(joined.test('x\nconsent: grant "a" allows (at delta 0.1): spent 2.5 in all')).toBe(true);
  });

  it('refuses pieces whose flags differ', () => {
    expect(() => joinedRegExp(/a/i, /b/)).toThrow(TypeError);
  });
});
