// The vertical benchmark (npm run bench vertical) at a size that takes seconds: every part runs the real code
// path and reports well-formed figures; the SecureBoost estimate is a line through the measured runs.
import { describe, expect, it } from 'vitest';
import { estimateBoost, runVerticalBench } from '../src/vertical/vertical-bench.js';

describe('vertical benchmark (bench workspace)', () => {
  it('runs SecureBoost, vertical LR and PSI at a small size', async () => {
    const report = await runVerticalBench(() => {}, {
      boostRows: 1500,
      boostGuestFeatures: 2,
      boostBins: 32,
      boostDepth: 2,
      boostHostFeatures: [2, 6],
      boostTargetHostFeatures: 300,
      vlrRows: 600,
      vlrBatchSizes: [256],
      psiSizes: [300],
      psiThreads: 2,
    });
    expect(report.pass).toBe(true);
    expect(report.secureBoost.map((r) => [r.hostFeatures, r.groups])).toEqual([
      [2, 1],
      [6, 2],
    ]);
    for (const r of report.secureBoost) {
      expect(r.treeSeconds).toBeGreaterThan(0);
      expect(r.minNoiseBudget).toBeGreaterThan(0);
      // depth 2: the root and the smaller child are fetched, one ciphertext per group each
      expect(r.histogramCiphertexts).toBe(2 * r.groups);
    }
    expect(report.secureBoostEstimate).toMatchObject({ hostFeatures: 300, groups: 75 });
    expect(report.vlr[0]).toMatchObject({ rows: 600, batchSize: 256, steps: 3 });
    expect(report.vlr[0]!.epochSeconds).toBeGreaterThan(0);
    expect(report.psi[0]).toMatchObject({ n: 300, threads: 2 });
    expect(report.psi[0]!.idsPerSecondPerSide).toBeGreaterThan(0);
  }, 180_000);

  it('fits a line through the runs', () => {
    const run = (groups: number, treeSeconds: number) =>
      ({ groups, hostFeatures: groups * 4, bins: 32, treeSeconds, treeCpuSeconds: 2 * treeSeconds }) as never;
    // 10 s fixed + 5 s per group
    const e = estimateBoost([run(1, 15), run(8, 50)], 300);
    expect(e).toMatchObject({ groups: 75, treeSeconds: 385, treeCpuSeconds: 770 });
    expect(estimateBoost([run(2, 10)], 300)).toMatchObject({ treeSeconds: 375 });
  });
});
