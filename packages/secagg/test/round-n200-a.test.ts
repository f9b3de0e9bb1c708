import { describe, expect, it } from 'vitest';
import { harary } from '@tessera/secagg';
import { runRound, setup } from './harness.js';

// n = 200 on a sparse Harary graph: each participant does 2k key agreements and k signature checks instead of
// 398 and 199 (with @noble/curves each costs 2-3 ms, which is what bounds these tests' size).
const graph = harary(200, 6, new TextEncoder().encode('n200/a'));

describe('SecAgg+ round on H_{6,200}', () => {
  it('no dropouts: the sum of all 200 inputs', () => {
    const r = runRound(setup({ n: 200, threshold: 3, graph, dimension: 32 }));
    expect(r.survivors.length).toBe(200);
    expect(r.dropped).toEqual([]);
    expect(r.sum).toEqual(r.expected);
  });
});
