import { describe, expect, it } from 'vitest';
import { seededRandom, systemRandom } from '../src/index.js';

describe('Random', () => {
  it('is reproducible from a seed and differs across seeds', () => {
    const a = seededRandom(7),
      b = seededRandom(7),
      c = seededRandom(8);
    const xs = Array.from({ length: 20 }, () => a.int(1000));
    expect(Array.from({ length: 20 }, () => b.int(1000))).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.int(1000))).not.toEqual(xs);
  });

  it('draws unbiased integers below a non-power-of-two bound', () => {
    const r = seededRandom('chi');
    const k = 6,
      n = 60000;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / k) ** 2 / (n / k), 0);
    expect(chi2).toBeLessThan(20.5); // chi-square, 5 d.o.f., p = 0.001
  });

  it('draws floats in [0, 1) with the right mean and gaussians with unit variance', () => {
    const r = systemRandom();
    let s = 0,
      g = 0,
      g2 = 0;
    const n = 50000;
    for (let i = 0; i < n; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      s += f;
      const z = r.gaussian();
      g += z;
      g2 += z * z;
    }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(g / n)).toBeLessThan(0.03);
    expect(Math.abs(g2 / n - 1)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    seededRandom(1).shuffle(items);
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
