import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PAYOUTS_DEFAULTS, renderPayoutsBench, runPayoutsBenchWith } from '../src/payouts/payouts-bench.js';

const data = fileURLToPath(new URL('../../examples/data/breast_cancer.csv', import.meta.url));

const reduced = {
  ...PAYOUTS_DEFAULTS,
  data,
  sizes: [4],
  rounds: 3,
  estimators: PAYOUTS_DEFAULTS.estimators.map((e) => ({
    ...e,
    options: { ...e.options, ...(e.method === 'loo' ? {} : { maxPermutations: 50 }) },
  })),
  referencePerStratum: 5,
  ledgerEntries: 50,
};

const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

describe('payouts benchmark (bench workspace)', () => {
  it('values a small real federation with every method and verifies a ledger', async () => {
    expect(PAYOUTS_DEFAULTS.metric).toBe('logLoss');
    const r = await runPayoutsBenchWith(reduced, () => {});
    expect(r.benchmark).toBe('payouts');
    expect(r.setup.metric).toBe('logLoss');
    expect(r.options.metric).toBe('logLoss');
    expect(r.sizes).toHaveLength(1);
    const s = r.sizes[0];
    expect(s.players).toBe(4);
    expect(s.roles).toEqual(['duplicate-source', 'noisy', 'honest', 'duplicate']);
    expect(s.examples[0]).toBe(s.examples[3]);
    expect(s.aucByRound).toHaveLength(3);
    expect(s.reference).toBe('exact');
    expect(s.exactSkipped).toBeNull();
    expect(s.methods.map((m) => m.method)).toEqual(['shapley', 'tmc', 'tmc', 'gtg', 'gtg', 'gtg', 'loo']);
    const exact = s.methods[0];
    expect(exact.evaluations).toBe(2 ** 4 * 3);
    expect(exact.error!.relativeL2).toBe(0);
    expect(exact.error!.maxAbsOverL1).toBe(0);
    // Utility = -log loss: exact values over the rounds add up to -loss(final) - (-loss(zero model)) = ln 2 -
    // loss(final).
    expect(s.logLossByRound).toHaveLength(3);
    expect(sum(exact.values)).toBeCloseTo(Math.LN2 - s.logLossByRound[2], 3);
    for (const m of s.methods) {
      expect(m.values).toHaveLength(4);
      expect(m.seconds).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(m.error!.relativeL2)).toBe(true);
    }
    // The stratified reference enumerates every stratum of 4 players exactly (C(3, k) <= 5): no error.
    expect(s.referenceCalibration?.method).toBe('stratified-reference');
    expect(s.referenceCalibration!.error!.relativeL2).toBeLessThan(1e-12);
    expect(r.ledger).toMatchObject({ entries: 50, ok: true });
    expect(r.ledger.entriesVerifiedPerSecond).toBeGreaterThan(0);
    expect(r.pass).toBe(true);
    expect(renderPayoutsBench(r)).toContain('gtg, no truncation');
  });

  it('values with validation AUC when asked (metric: auc)', async () => {
    const r = await runPayoutsBenchWith(
      {
        ...reduced,
        metric: 'auc',
        estimators: reduced.estimators.filter((e) => e.method === 'loo'),
        calibrateReference: false,
      },
      () => {},
    );
    expect(r.setup.metric).toBe('auc');
    const s = r.sizes[0];
    const exact = s.methods[0];
    expect(exact.method).toBe('shapley');
    // Utility = AUC: the exact values add up to AUC(final) - AUC(zero model) = AUC(final) - 0.5.
    expect(sum(exact.values)).toBeCloseTo(s.aucByRound[2] - 0.5, 3);
  });
});

describe('sampled Shapley on real federations of 6 and 8 participants (breast cancer, 10 FedAvg rounds)', () => {
  it('TMC and GTG-Shapley land within the stated error of exact Shapley, ' +
    'and rank the noisy participant last', async () => {
    const r = await runPayoutsBenchWith(
      { ...PAYOUTS_DEFAULTS, data, sizes: [6, 8], rounds: 10, ledgerEntries: 10, calibrateReference: false },
      () => {},
    );
    for (const s of r.sizes) {
      expect(s.reference).toBe('exact');
      const [exact, tmc, , gtg] = s.methods;
      expect([exact.method, tmc.method, gtg.method]).toEqual(['shapley', 'tmc', 'gtg']);
      // The stated error (docs/payouts.md): default GTG within 0.05 and default TMC within 0.1 relative L2 of exact
      // Shapley at these sizes. Measured here (10 rounds, seeded): GTG 0.020 / 0.014, TMC 0.028 / 0.043 at n = 6 / 8;
      // in the 20-round benchmark GTG 0.010 / 0.028, TMC 0.072 / 0.057.
      expect(gtg.error!.relativeL2).toBeLessThan(0.05);
      expect(tmc.error!.relativeL2).toBeLessThan(0.1);
      const noisy = s.roles.indexOf('noisy');
      for (const m of [exact, tmc, gtg]) expect(Math.min(...m.values)).toBe(m.values[noisy]);
    }
  }, 60_000);
});
