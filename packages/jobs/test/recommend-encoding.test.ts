import { describe, expect, it } from 'vitest';
import { decodeRecommendExact, encodeRecommendExact, RECOMMEND_WIDE_DIGITS } from '../src/index.js';

describe('recommend exact encoding', () => {
  it('sums in the ring exactly what the values sum to at 2^-24', () => {
    const a = [1.5, -2.25, 1e6, -3e-7, 12345.678];
    const b = [-1.5, 0.125, 2e6, 5e-7, -0.001];
    const modulus = 2 ** 32;
    const wa = encodeRecommendExact(a);
    const wb = encodeRecommendExact(b);
    expect(wa.length).toBe(a.length * RECOMMEND_WIDE_DIGITS);
    const sum = wa.map((w, i) => (w + wb[i]!) % modulus);
    const decoded = decodeRecommendExact(sum, 2);
    const q = (v: number) => Math.round(v * 2 ** 24) / 2 ** 24;
    decoded.forEach((v, i) => expect(v).toBe(q(a[i]!) + q(b[i]!)));
  });
});
