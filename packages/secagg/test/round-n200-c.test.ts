import { describe, expect, it } from 'vitest';
import { harary } from '@tessera/secagg';
import { feasible, planDropouts, runRound, setup } from './harness.js';

const graph = harary(200, 6, new TextEncoder().encode('n200/c'));

describe('SecAgg+ round on H_{6,200}', () => {
  it('30% drop, each at a random stage, modulus 2^31 - 1', () => {
    const dropouts = planDropouts(200, 0.3, 'spread', 'n200/0.3');
    expect(feasible(graph, 2, dropouts)).toBe(true);
    const r = runRound(setup({ n: 200, threshold: 2, graph, dimension: 48, modulus: 2 ** 31 - 1 }), { dropouts });
    expect(r.dropped.length).toBeGreaterThan(20);
    expect(r.responders.length).toBeLessThan(r.survivors.length);
    expect(r.sum).toEqual(r.expected);
  });
});
