import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PAYOUTS_DEFAULTS, renderPayoutsBench, runPayoutsBenchWith } from '../src/bench/payouts/payouts-bench.js';

const data = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

describe('payouts benchmark (cli bench module)', () => {
  it('values a small real federation with every method and verifies a ledger', async () => {
    const r = await runPayoutsBenchWith({
      ...PAYOUTS_DEFAULTS,
      data,
      sizes: [4],
      rounds: 3,
      estimators: PAYOUTS_DEFAULTS.estimators.map((e) => ({ ...e, options: { ...e.options, ...(e.method === 'loo' ? {} : { maxPermutations: 50 }) } })),
      referencePerStratum: 5,
      ledgerEntries: 50,
    }, () => {});
    expect(r.benchmark).toBe('payouts');
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
});
