import { describe, expect, it } from 'vitest';
import { harary } from '@tessera/secagg';
import { feasible, planDropouts, runRound, setup } from './harness.js';

const graph = harary(200, 8, new TextEncoder().encode('n200/b'));

describe('SecAgg+ round on H_{8,200}', () => {
  it('10% of the remaining participants drop at each stage', () => {
    const dropouts = planDropouts(200, 0.1, 'compounding', 'n200/0.1');
    expect(feasible(graph, 3, dropouts)).toBe(true);
    const r = runRound(setup({ n: 200, threshold: 3, graph, dimension: 32 }), { dropouts });
    expect(r.u1.length).toBe(200);
    expect(r.u2.length).toBe(180);
    expect(r.survivors.length).toBe(146);
    expect(r.dropped.length).toBe(34);
    expect(r.responders.length).toBe(131);
    expect(r.sum).toEqual(r.expected);
  });
});
