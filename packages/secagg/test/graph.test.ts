import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { completeGraph, harary, isConnected, permutation, type Neighbourhood } from '@tessera/secagg';

const seed = (s: string) => new TextEncoder().encode(s);

function checkRegularSymmetric(g: Neighbourhood, k: number): void {
  for (let i = 0; i < g.n; i++) {
    const ns = g.neighbours(i);
    expect(ns.length).toBe(k);
    expect(new Set(ns).size).toBe(k);
    expect(ns).not.toContain(i);
    expect([...ns].sort((a, b) => a - b)).toEqual(ns);
    for (const j of ns) {
      expect(g.isNeighbour(i, j)).toBe(true);
      expect(g.isNeighbour(j, i)).toBe(true);
      expect(g.neighbours(j)).toContain(i);
    }
    let count = 0;
    for (let j = 0; j < g.n; j++) if (g.isNeighbour(i, j)) count++;
    expect(count).toBe(k);
  }
}

describe('Harary graph', () => {
  it('is k-regular and symmetric, for even and odd k', () => {
    for (const [n, k] of [
      [10, 2],
      [10, 4],
      [11, 6],
      [50, 8],
      [20, 3],
      [20, 5],
      [200, 10],
    ] as const) {
      const g = harary(n, k, seed(`regular/${n}/${k}`));
      expect(g.n).toBe(n);
      expect(g.degree).toBe(k);
      checkRegularSymmetric(g, k);
    }
  });

  it('is the complete graph for k >= n - 1, and refuses odd k with odd n', () => {
    const g = harary(7, 6, seed('x'));
    expect(g.degree).toBe(6);
    checkRegularSymmetric(g, 6);
    expect(() => harary(9, 3, seed('x'))).toThrow(/odd degree 3 needs an even number of nodes/);
    expect(() => harary(9, 0, seed('x'))).toThrow(RangeError);
    checkRegularSymmetric(completeGraph(6), 5);
  });

  it('derives the same graph from the same seed, and a different one from another', () => {
    const a = harary(100, 6, seed('round-1'));
    const b = harary(100, 6, seed('round-1'));
    const c = harary(100, 6, seed('round-2'));
    const lists = (g: Neighbourhood) => Array.from({ length: g.n }, (_, i) => g.neighbours(i));
    expect(lists(a)).toEqual(lists(b));
    expect(lists(a)).not.toEqual(lists(c));
    const p = permutation(100, seed('round-1'));
    expect(permutation(100, seed('round-1'))).toEqual(p);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // The neighbours are the permuted ring: order[pos +- 1..3].
    const pos = new Map([...p].map((v, i) => [v, i]));
    const v = p[0];
    expect(a.neighbours(v)).toEqual([p[1], p[2], p[3], p[97], p[98], p[99]].sort((x, y) => x - y));
    expect(pos.get(v)).toBe(0);
  });

  it('the permutation is not the identity and moves every position with about the right frequency', () => {
    // Over many seeds, where node 0 lands should be close to uniform over 10 positions.
    const counts = new Array(10).fill(0);
    for (let s = 0; s < 2000; s++) counts[permutation(10, seed(`perm/${s}`)).indexOf(0)]++;
    for (const c of counts) expect(Math.abs(c - 200)).toBeLessThan(70);
  });

  it('is connected, and stays connected after removing any k - 1 nodes (it is k-connected)', () => {
    const rng = seededRandom('connectivity');
    for (const [n, k] of [
      [20, 4],
      [30, 6],
      [24, 5],
    ] as const) {
      const g = harary(n, k, seed(`conn/${n}/${k}`));
      expect(isConnected(g)).toBe(true);
      for (let trial = 0; trial < 200; trial++) {
        const order = Array.from({ length: n }, (_, i) => i);
        rng.shuffle(order);
        expect(isConnected(g, order.slice(k - 1))).toBe(true);
      }
    }
  });

  it('isConnected detects a split: a cycle (k = 2) without two non-adjacent nodes', () => {
    const g = harary(12, 2, seed('cycle'));
    const a = 0;
    const b = [...Array(12).keys()].find((j) => j !== a && !g.isNeighbour(a, j))!;
    expect(
      isConnected(
        g,
        [...Array(12).keys()].filter((j) => j !== a && j !== b),
      ),
    ).toBe(false);
    expect(isConnected(g, [a])).toBe(true);
    expect(isConnected(completeGraph(5), [1, 3])).toBe(true);
  });
});
