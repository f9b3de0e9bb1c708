// The recommend benchmark (node bench/dist/main.js recommend) at its quick size: the local throughput of ALS and BPR
// and masked BPR jobs over gRPC with the coordinator in its own process, every figure measured and every merchant in
// every sum. Timings are never asserted.
// It imports the built part (bench/dist): the merchants run in the load harness's compiled worker processes.
import { describe, expect, it } from 'vitest';
import { interactionsFrom, seededRandom } from '@tessera/recommend';
import { benchCatalogue, merchantRows, plantedTastes } from '../dist/recommend/merchant-data.js';
import {
  memoryScaling,
  RECOMMEND_QUICK,
  renderRecommendBench,
  runRecommendBench,
} from '../dist/recommend/recommend-bench.js';
import type { ServiceRun } from '../dist/recommend/service-run.js';

describe('recommend benchmark (bench workspace)', () => {
  it('generates a merchant whose rows fit the catalogue, with the planted tastes shared across merchants', () => {
    const shape = { customers: 300, items: 200, interactionsPerCustomer: 12 };
    const rows = merchantRows(shape, seededRandom('t'));
    expect(merchantRows(shape, seededRandom('t'))).toEqual(rows);
    const data = interactionsFrom(rows, benchCatalogue(200));
    expect(data.customerIds).toHaveLength(300);
    for (let c = 0; c < 300; c++) {
      const bought = rows.filter((r) => r.customer === `customer-${c}`).length;
      expect(bought).toBeGreaterThanOrEqual(6);
      expect(bought).toBeLessThanOrEqual(18);
    }
    // Purchases follow the tastes: the most bought item of 3,600 is bought far more than a uniform 18 times.
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(60);
    const tastes = plantedTastes(200, 4, seededRandom('tastes'));
    const a = merchantRows({ ...shape, prefix: 'a' }, seededRandom('a'), tastes);
    expect(a[0]!.customer).toBe('a-0');
    expect(() => merchantRows({ ...shape, items: 100 }, seededRandom('a'), tastes)).toThrow(/cover 200 items/);
  });

  it('compares peak memory across merchants at one d and across d', () => {
    const run = (merchants: number, updateLength: number, jobPeakRssMiB: number) =>
      ({ merchants, updateLength, coordinator: { jobPeakRssMiB } }) as ServiceRun;
    const m = memoryScaling([run(20, 4_000_000, 500), run(5, 4_000_000, 400), run(20, 1_000_000, 200)]);
    expect(m.merchantsRatio).toEqual({ merchants: [20, 5], peakRssMiB: [500, 400], ratio: 1.25 });
    // 300 MiB over 3 * 10^6 values
    expect(m.slope?.bytesPerValue).toBeCloseTo((300 * 1024 * 1024) / 3e6, 1);
    expect(memoryScaling([run(20, 4_000_000, 500)])).toEqual({});
  });

  it('measures the local rounds and masked jobs at the quick sizes, every merchant in every sum', async () => {
    const r = await runRecommendBench(() => {}, { TESSERA_BENCH_RECOMMEND_QUICK: '1' }, 'test');
    expect(r.quick).toBe(true);
    expect(r.command).toBe('TESSERA_BENCH_RECOMMEND_QUICK=1 test');
    const items = RECOMMEND_QUICK.local.merchant.items;
    // ALS: items * (T + K) + T + K with K = k + 1, T = K(K + 1)/2; BPR: items * (k + 1).
    const als = (k: number) => (items + 1) * (((k + 1) * (k + 2)) / 2 + k + 1);
    expect(r.local.results.map((x) => [x.algorithm, x.k, x.updateLength])).toEqual([
      ['als', 32, als(32)],
      ['als', 8, als(8)],
      ['bpr', 32, items * 33],
      ['bpr', 8, items * 9],
    ]);
    expect(r.local.merchant.customers).toBe(RECOMMEND_QUICK.local.merchant.customers);
    for (const x of r.local.results) {
      for (const p of [x.customerStep, x.itemUpdate, x.localRound]) expect(p.interactionsPerSecond).toBeGreaterThan(0);
      expect(x.localRound.seconds).toBeCloseTo(x.customerStep.seconds + x.itemUpdate.seconds, 3);
    }
    expect(r.service.map((x) => [x.merchants, x.items, x.contributors, x.roundSeconds.length])).toEqual(
      RECOMMEND_QUICK.service.runs.map((s) => [s.merchants, s.items, s.merchants, RECOMMEND_QUICK.service.rounds]),
    );
    for (const x of r.service) {
      expect(x.updateLength).toBe(x.items * (RECOMMEND_QUICK.service.k + 1));
      expect(x.dimension).toBe(4 * x.updateLength);
      for (const [stage, seconds] of Object.entries(x.stageSeconds)) expect(seconds, stage).toBeGreaterThan(0);
      expect(x.coordinator.jobPeakRssMiB).toBeGreaterThan(0);
      expect(x.coordinator.peakRssMiB).toBeGreaterThanOrEqual(x.coordinator.jobPeakRssMiB - 1);
      expect(x.plainRoundSeconds).toBeGreaterThan(0);
      expect(x.maskedOverPlain).toBeGreaterThan(0);
    }
    expect(r.memory.merchantsRatio?.merchants).toEqual([4, 2]);
    expect(r.memory.slope?.updateLengths).toEqual([2000 * 9, 500 * 9]);
    expect(r.pass).toBe(true);
    expect(renderRecommendBench(r)).toContain('every job completed with every merchant in its sums: yes');
  }, 300_000);
});
