import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { cycles, importGraph } from '../import-graph.mjs';

describe('the source tree has no import cycles', () => {
  it("finds none across every workspace's src/ (type-only imports included)", () => {
    const graph = importGraph() as Map<string, Set<string>>;
    expect(graph.size).toBeGreaterThan(200);
    expect((cycles(graph) as string[][]).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('detects a cycle when there is one', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect((cycles(g) as string[][]).length).toBe(1);
  });
});
