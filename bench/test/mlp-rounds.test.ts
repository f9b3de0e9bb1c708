// The mlp-rounds benchmark (npm run bench mlp-rounds) at a tiny size: a real MLP job over gRPC with 3 participants,
// masked and plaintext, every figure measured. Timings are never asserted.
// It imports the built part (bench/dist): the coordinator RSS sampler runs a compiled worker (rss-sampler-worker.js).
import { describe, expect, it } from 'vitest';
import { MLP_ROUNDS_QUICK, renderMlpRounds, runMlpRounds } from '../dist/ml/mlp-rounds.js';
import { p90 } from '../dist/ml/mlp-round-run.js';

describe('mlp-rounds benchmark (bench workspace)', () => {
  it('takes the 90th percentile by nearest rank', () => {
    expect(p90([3, 1, 2])).toBe(3);
    expect(p90(Array.from({ length: 10 }, (_, i) => i + 1))).toBe(9);
  });

  it('runs a masked and a plaintext MLP job with 3 participants and measures every figure', async () => {
    const r = await runMlpRounds(() => {}, MLP_ROUNDS_QUICK, 'test');
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    // 64 -> [16] -> 10: 64·16 + 16 + 16·10 + 10.
    expect(r.parameters).toBe(1210);
    expect(r.localEpochSeconds).toBeGreaterThan(0);
    expect(r.runs.map((x) => `${x.n} ${x.secure}`)).toEqual(['3 none', '3 masked']);
    expect(r.largestMaskedN).toBe(3);
    for (const x of r.runs) {
      expect(x.roundSeconds).toHaveLength(MLP_ROUNDS_QUICK.rounds);
      expect(x.roundToRoundSeconds).toHaveLength(MLP_ROUNDS_QUICK.rounds - 1);
      expect(x.stages.filter((s) => s.stage === 'fit' && s.status === 'completed')).toHaveLength(
        MLP_ROUNDS_QUICK.rounds,
      );
      for (const v of [
        x.roundSecondsMedian,
        x.roundSecondsP90,
        x.coordinatorConnectedRssMiB,
        x.coordinatorJobPeakRssMiB,
        x.coordinatorPeakRssMiB,
        x.coordinatorCpuSeconds,
        x.participantsCpuSeconds,
        x.jobSeconds,
        x.eventLoopMaxStallSeconds,
      ])
        expect(v, x.secure).toBeGreaterThan(0);
      // Each participant uploads at least its model update every round: d values of 4 bytes or more.
      expect(x.uploadBytesPerParticipantRound, x.secure).toBeGreaterThan(4 * r.parameters);
      expect(x.jobBytesPerParticipantRound, x.secure).toBeGreaterThan(4 * r.parameters);
      expect(x.lastMetrics.accuracy, x.secure).toBeGreaterThan(0);
    }
    expect(renderMlpRounds(r)).toMatch(/largest n with a completed masked job: 3/);
  }, 60_000);
});
