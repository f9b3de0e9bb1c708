import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { demoOptions } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';

const breastCancer = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

const base = demoOptions({
  learningRate: 0.1,
});

describe('tessera demo (federation over gRPC on loopback, participants inline)', () => {
  it('IID breast cancer: federated AUC within 0.02 of centralized, and the loss falls', async () => {
    const r = await runDemo({ ...base, data: breastCancer, label: 'benign', split: 'iid' });
    expect(Math.abs(r.federated.auc - r.centralized.auc)).toBeLessThanOrEqual(0.02);
    expect(r.history).toHaveLength(10);
    // Without DP every round reports both losses (the fields are optional for the DP runs).
    expect(r.history[9].loss).toBeLessThan(r.history[0].loss!);
    expect(r.history[9].trainLoss).toBeLessThan(r.history[0].trainLoss!);
    expect(r.localOnly).toHaveLength(3);
    expect(r.timing.roundSecondsMedian).toBeGreaterThan(0);
  });

  it('non-IID (Dirichlet label skew): federated beats the mean of the local-only models', async () => {
    const r = await runDemo({ ...base, data: breastCancer, label: 'benign', split: 'dirichlet:0.2', seed: 3 });
    expect(r.federated.auc).toBeGreaterThan(r.localOnlyMean.auc);
    expect(r.federated.logLoss).toBeLessThan(r.localOnlyMean.logLoss);
  });

  it('default synthetic merchants split by merchant: federated beats the mean of the local-only models', async () => {
    const r = await runDemo({ ...base, participants: 4, rounds: 6, seed: 5 });
    expect(r.split).toBe('by:merchant');
    expect(r.federated.auc).toBeGreaterThan(r.localOnlyMean.auc);
    expect(r.centralized.auc - r.federated.auc).toBeLessThan(0.03);
  });

  it('SecAgg+ with 30% of participants dropping every round trains as well as plaintext aggregation', async () => {
    const common = { ...base, participants: 6, rounds: 8, data: breastCancer, label: 'benign', split: 'iid', seed: 42 };
    const plain = await runDemo({ ...common, secure: 'none' });
    const masked = await runDemo({ ...common, secure: 'masked', drop: 0.3 });
    expect(plain.secure).toEqual({ mode: 'none', threshold: null, degree: null, dropped: 0 });
    expect(masked.secure.mode).toBe('masked');
    expect(masked.secure.threshold).toBeGreaterThanOrEqual(2);
    // The complete graph on the last round's participants: at least minParticipants (3) of the 6, as a round may
    // start while the participants that dropped in the one before are still reconnecting (degree 2 on 3 nodes).
    expect(masked.secure.degree).toBeGreaterThanOrEqual(2);
    // All six are connected when round 1 starts, so both of its droppers (seed 42) are asked: they leave after sharing
    // their keys and before sending their masked input, so the round completes on the other four only by recovering
    // the two dropped participants' masks from the survivors' shares.
    expect(masked.history[0]).toMatchObject({ round: 1, contributors: 4, dropped: 2, absent: 0 });
    // A round starts once minParticipants (3) are connected, so a node that dropped may still be reconnecting: then it
    // is absent (not asked) instead of dropping, or a small cohort's first attempt fails and the retry has no dropouts.
    // How many drop mid-round thus depends on the load (5 to 15 seen). How many are out of the rounds does not: each
    // round's 2 planned droppers either drop (15 of the 16 before unmasking) or are absent.
    expect(masked.history).toHaveLength(8);
    expect(masked.history.reduce((n, h) => n + h.dropped + h.absent, 0)).toBeGreaterThanOrEqual(8);
    expect(masked.history.every((h) => h.contributors >= 3)).toBe(true);
    expect(Math.abs(masked.federated.auc - plain.federated.auc)).toBeLessThanOrEqual(0.01);
  });

  it('participant-level DP spends at most the requested epsilon, distributed or central', async () => {
    const common = {
      ...base,
      participants: 5,
      rounds: 6,
      data: breastCancer,
      label: 'benign',
      split: 'iid',
      seed: 4,
      epsilon: 4,
      delta: 1e-5,
    };
    for (const dp of ['distributed', 'central'] as const) {
      const r = await runDemo({ ...common, dp, unit: 'participant' });
      expect(r.privacy.mode).toBe(dp);
      expect(r.privacy.unit).toBe('participant');
      expect(r.privacy.epsilon).toBeGreaterThan(3.9);
      expect(r.privacy.epsilon).toBeLessThanOrEqual(4 + 1e-9);
      expect(r.privacy.noiseMultiplier).toBeGreaterThan(1);
      expect(r.privacy.clip).toBe(1);
      // Utility is not asserted: participant-level noise with 5 participants is large (docs/benchmarks.md).
      // Under DP no federated evaluation runs (it would be another release): the rounds carry no evaluation metrics.
      expect(r.history.every((h) => h.loss === undefined && h.auc === undefined)).toBe(true);
      expect(Number.isFinite(r.federated.auc)).toBe(true);
    }
    const none = await runDemo({ ...common, rounds: 2 });
    expect(none.privacy).toMatchObject({ mode: 'none', delta: null, noiseMultiplier: null });
  });

  it(
    'record-level distributed DP at epsilon 8 on breast cancer with 5 participants: ' +
      'AUC within 0.03 of the non-private federated model',
    async () => {
      const common = {
        ...base,
        participants: 5,
        rounds: 10,
        data: breastCancer,
        label: 'benign',
        split: 'iid',
        seed: 1,
        epsilon: 8,
        delta: 1e-5,
      };
      const plain = await runDemo({ ...common });
      const dp = await runDemo({ ...common, dp: 'distributed', unit: 'record', learningRate: 1 });
      expect(dp.privacy).toMatchObject({ mode: 'distributed', unit: 'record', delta: 1e-5, clip: 1 });
      expect(dp.privacy.epsilon).toBeGreaterThan(7.9);
      expect(dp.privacy.epsilon).toBeLessThanOrEqual(8 + 1e-9);
      expect(dp.privacy.noiseMultiplier).toBeGreaterThan(1);
      expect(plain.federated.auc - dp.federated.auc).toBeLessThanOrEqual(0.03);
    },
  );

  it('record-level local DP: each participant adds the whole noise, yet the epsilon is the one asked for', async () => {
    const r = await runDemo({
      ...base,
      participants: 4,
      rounds: 4,
      data: breastCancer,
      label: 'benign',
      split: 'iid',
      seed: 6,
      dp: 'local',
      unit: 'record',
      epsilon: 4,
      learningRate: 1,
    });
    expect(r.privacy).toMatchObject({ mode: 'local', unit: 'record' });
    expect(r.privacy.epsilon).toBeLessThanOrEqual(4 + 1e-9);
    expect(r.history).toHaveLength(4);
    expect(Number.isFinite(r.federated.auc)).toBe(true);
  });

  it('names the line and column of a bad CSV cell and refuses a bad split', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const bad = join(mkdtempSync(join(tmpdir(), 'tessera-bad-')), 'bad.csv');
    writeFileSync(bad, 'a,b,label\n1,2,yes\n3,x,no\n4,5,no\n');
    await expect(runDemo({ ...base, data: bad, label: 'label' })).rejects.toThrow(
      /bad\.csv line 3, column "b": "x" is not a number/,
    );
    await expect(runDemo({ ...base, data: breastCancer, label: 'nope' })).rejects.toThrow(/nope/);
    await expect(runDemo({ ...base, data: breastCancer, label: 'benign', split: 'sideways' })).rejects.toThrow(
      /--split/,
    );
  });
});
