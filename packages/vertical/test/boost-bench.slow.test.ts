// One SecureBoost tree at 10^4 aligned rows x (10 guest + 20 host features), 32 bins, depth 3 (issue 18's benchmark
// at a tenth of its size): prints the wall times, histogram traffic and the noise budget left.
import { seededRandom } from '@tessera/ml';
import { trainSecureBoost } from '@tessera/vertical';
import { expect, it } from 'vitest';

it('trains one tree at 10^4 rows x 30 features', async () => {
  const rows = 10_000;
  const random = seededRandom('secureboost-bench');
  const column = () => Float64Array.from({ length: rows }, () => random.gaussian());
  const guest = Array.from({ length: 10 }, column);
  const host = Array.from({ length: 20 }, column);
  const labels = Float64Array.from({ length: rows }, (_, i) =>
    guest[0]![i]! + host[0]![i]! + random.gaussian() > 0 ? 1 : 0,
  );
  const result = await trainSecureBoost({
    guestFeatures: guest,
    labels,
    hostFeatures: [host],
    config: { trees: 1, depth: 3, bins: 32 },
  });
  console.log(
    JSON.stringify({
      rows,
      setupMs: Math.round(result.setupMs),
      treeMs: Math.round(result.trainMs),
      ...result.stats,
    }),
  );
  expect(result.stats.minNoiseBudget).toBeGreaterThan(0);
  expect(JSON.stringify(result.guestModel)).toContain('"party":"host"');
}, 300_000);
