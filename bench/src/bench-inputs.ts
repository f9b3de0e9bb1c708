import { seededRandom } from '@tessera/crypto';

export const now = () => performance.now() / 1000;

/** n small random model updates of length d, the same for the same seed: the inputs of the aggregation benchmarks. */
export function benchDeltas(n: number, d: number, seed: string): Float64Array[] {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = (rng.float() - 0.5) * 0.01;
    return v;
  });
}
