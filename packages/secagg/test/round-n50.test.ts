import { describe, expect, it } from 'vitest';
import { harary } from '@tessera/secagg';
import { feasible, planDropouts, runRound, setup } from './harness.js';

describe('SecAgg+ round on a sparse Harary graph, n = 50', () => {
  const graph = harary(50, 12, new TextEncoder().encode('n50'));
  it('no dropouts', () => {
    const r = runRound(setup({ n: 50, threshold: 3, graph, dimension: 32 }));
    expect(r.survivors.length).toBe(50);
    expect(r.sum).toEqual(r.expected);
  });
  it('10% of the remaining participants drop at each stage, modulus 2^31 - 1', () => {
    const dropouts = planDropouts(50, 0.1, 'compounding', 'n50/0.1');
    expect(feasible(graph, 3, dropouts)).toBe(true);
    const r = runRound(setup({ n: 50, threshold: 3, graph, dimension: 32, modulus: 2 ** 31 - 1 }), { dropouts });
    expect(r.u1.length).toBe(50);
    expect(r.dropped.length).toBeGreaterThan(0);
    expect(r.sum).toEqual(r.expected);
  });
  it('30% drop, each at a random stage', () => {
    const dropouts = planDropouts(50, 0.3, 'spread', 'n50/0.3');
    expect(feasible(graph, 3, dropouts)).toBe(true);
    const r = runRound(setup({ n: 50, threshold: 3, graph, dimension: 32 }), { dropouts });
    expect(r.dropped.length).toBeGreaterThan(0);
    expect(r.sum).toEqual(r.expected);
  });
});
