import { seededRandom } from '@tessera/crypto';
import type { RoundDropouts } from '@tessera/secagg';

/** Where a dropping participant leaves, by the stage number drawn for it (0: before it advertises). */
const LEAVES = ['beforeAdvertise', 'afterAdvertise', 'afterShareKeys', 'duringUnmask'] as const;

/**
 * The benchmarks' dropouts: round(drop * n) participants, each leaving at a stage drawn uniformly from four. Seeded, so
 * rounds measured with the same seed (a masked and a sealed one, say) lose the same participants at the same stages.
 */
export function benchDropouts(n: number, drop: number, seed: string): RoundDropouts {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = seededRandom(`${seed}/drop`);
  rng.shuffle(order);
  const out: Record<(typeof LEAVES)[number], number[]> = {
    beforeAdvertise: [],
    afterAdvertise: [],
    afterShareKeys: [],
    duringUnmask: [],
  };
  for (const i of order.slice(0, Math.round(drop * n))) out[LEAVES[rng.int(4)]!].push(i);
  return out;
}
